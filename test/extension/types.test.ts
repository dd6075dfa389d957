/**
 * Type tests: the extension changes no result or argument types; fields read
 * back with their Prisma types (checked by `tsc`, asserted at runtime too).
 */
import { describe, expectTypeOf, it } from "vitest";
import type { ExtendedClient } from "./setup.js";

type User = Awaited<ReturnType<ExtendedClient["user"]["findUniqueOrThrow"]>>;
type PostWithAuthor = Awaited<ReturnType<typeof findPostWithAuthor>>;
const findPostWithAuthor = (prisma: ExtendedClient) =>
  prisma.post.findFirstOrThrow({ include: { author: { select: { email: true, profile: true } } } });

describe("extended client types", () => {
  it("keeps the generated model types", () => {
    expectTypeOf<User["email"]>().toEqualTypeOf<string>();
    expectTypeOf<User["phone"]>().toEqualTypeOf<string | null>();
    expectTypeOf<User["avatar"]>().toEqualTypeOf<Uint8Array<ArrayBuffer> | null>();
    expectTypeOf<PostWithAuthor["author"]["email"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<PostWithAuthor["author"]["profile"]>["taxId"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Parameters<ExtendedClient["user"]["findUnique"]>[0]["where"]>().toHaveProperty("email");
  });
});
