import { z } from "zod";
import { invalidRequest } from "./errors.js";

/**
 * Request bodies, one strict zod schema per action: unknown fields are a 400
 * like malformed values. Messages name the field and the rule, never the
 * value (zod's own messages do not echo input either).
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64 = z.string().regex(BASE64, "must be base64");
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

const hours = z.union([z.int().min(1).max(17520), z.literal("UL")]);

export const schemas = {
  encrypt: z.strictObject({ plaintext: oneOrMany(base64), context: base64.optional() }),
  decrypt: z.strictObject({ ciphertext: oneOrMany(z.string()), context: base64.optional() }),
  "re-encrypt": z.strictObject({ ciphertext: oneOrMany(z.string()), context: base64.optional() }),
  "create-custom-key": z.strictObject({
    requestPlainKey: z.boolean().optional(),
    bits: z.union([z.literal(128), z.literal(256), z.literal(512)]).optional(),
    context: base64.optional(),
  }),
  sign: z.strictObject({ data: base64 }),
  verify: z.strictObject({ data: base64, signature: z.string() }),
  "token-set": z.strictObject({ accessTokenHours: hours.optional(), refreshTokenHours: hours.optional() }),
  "access-token": z.strictObject({ accessTokenHours: hours.optional() }),
  "create-key": z.strictObject({
    keyName: z.string(),
    keyType: z.enum(["AES256", "RSA2048", "ECDSA"]),
    isConvergent: z.boolean().optional(),
    isAutoRotation: z.boolean(),
    rotationPeriod: z.int().min(1).max(730).optional(),
    protectionType: z.enum(["BASIC", "COMMON_HSM"]),
    memo: z.string().max(100).optional(),
  }),
  empty: z.strictObject({}),
} as const;

export type Schemas = typeof schemas;

/** Parses `body` with `schema`, or throws 400 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue !== undefined && issue.path.length > 0 ? issue.path.join(".") : "body";
  throw invalidRequest(`${path}: ${issue?.message ?? "invalid"}`);
}
