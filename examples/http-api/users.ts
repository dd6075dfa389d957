/**
 * The user routes' logic, free of HTTP plumbing: each takes parsed input and
 * returns a status and a JSON body. The extension makes `email` and `phone`
 * plaintext here and ciphertext in the database.
 */
import { z } from "zod";
import type { AppPrisma } from "./prisma.js";

/** A status and the JSON body to send with it. */
export interface RouteResult {
  status: number;
  body: unknown;
}

// Only these columns leave the API (not `notes` or `avatar`).
const publicFields = { id: true, email: true, name: true, phone: true, createdAt: true } as const;

const createUserBody = z.object({
  email: z
    .string()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/, "must be an email address"),
  name: z.string().max(200).nullish(),
  phone: z.string().max(40).nullish(),
});

/**
 * A searchable field matches by exact bytes (convergent encryption has no
 * case-insensitive mode), so an email is normalized the same way on write
 * and on lookup.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `POST /users`: 201 with the user, or 400 naming the bad fields (never their values). */
export async function createUser(prisma: AppPrisma, body: unknown): Promise<RouteResult> {
  const parsed = createUserBody.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      field: issue.path.join(".") || "(body)",
      message: issue.message,
    }));
    return { status: 400, body: { error: "INVALID_BODY", issues } };
  }
  const { email, name, phone } = parsed.data;
  const user = await prisma.user.create({
    data: { email: normalizeEmail(email), name: name ?? null, phone: phone ?? null },
    select: publicFields,
  });
  return { status: 201, body: user };
}

/** `GET /users/by-email?email=…`: equality search on the encrypted, searchable `email`. */
export async function findUserByEmail(prisma: AppPrisma, email: string | null): Promise<RouteResult> {
  if (email === null || email.trim() === "") {
    return {
      status: 400,
      body: { error: "INVALID_QUERY", issues: [{ field: "email", message: "required" }] },
    };
  }
  const user = await prisma.user.findUnique({
    where: { email: normalizeEmail(email) },
    select: publicFields,
  });
  return user === null ? { status: 404, body: { error: "USER_NOT_FOUND" } } : { status: 200, body: user };
}

const MAX_INT4 = 2_147_483_647;

/** `GET /users/:id` (`id` already matched as digits). */
export async function findUserById(prisma: AppPrisma, idText: string): Promise<RouteResult> {
  const id = Number(idText);
  if (!Number.isSafeInteger(id) || id > MAX_INT4) return { status: 404, body: { error: "USER_NOT_FOUND" } };
  const user = await prisma.user.findUnique({ where: { id }, select: publicFields });
  return user === null ? { status: 404, body: { error: "USER_NOT_FOUND" } } : { status: 200, body: user };
}
