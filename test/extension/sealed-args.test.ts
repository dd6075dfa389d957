/**
 * The check driven by Prisma's input types (the map's `inputTypes`): after
 * the walk, every position a Prisma input type marks as an encrypted column
 * must hold a slot. Fed args the walk did not rewrite (what a walk gap
 * would leave), it refuses them; fed the walk's output, it passes.
 */
import { describe, expect, it } from "vitest";
import { compileMap } from "../../src/extension/compiled-map.js";
import { planArgs } from "../../src/extension/walk/args.js";
import { verifySealedArgs } from "../../src/extension/walk/verify.js";
import { map } from "./setup.js";

const compiled = compileMap(map, { default: "k-default", searchable: "k-searchable", archive: "k-archive" });

/** [model, operation, args, Model.field that a gap would leak] */
const cases: ReadonlyArray<readonly [string, string, Record<string, unknown>, string]> = [
  ["User", "create", { data: { email: "a@example.com" } }, "User.email"],
  ["User", "createMany", { data: [{ email: "a@example.com" }, { email: "b@example.com" }] }, "User.email"],
  ["User", "update", { where: { id: 1 }, data: { phone: { set: "010" } } }, "User.phone"],
  ["User", "upsert", { where: { email: "a@example.com" }, create: { email: "x" }, update: {} }, "User.email"],
  ["User", "findMany", { where: { OR: [{ email: { in: ["a", "b"] } }] } }, "User.email"],
  [
    "KwOwner",
    "update",
    { where: { id: 1 }, data: { item: { update: { where: { id: 1 }, data: { bio: "bio-plain" } } } } },
    "KwItem.bio",
  ],
  ["KwOwner", "findFirst", { where: { item: { is: { code: "C-1" } } } }, "KwItem.code"],
  [
    "User",
    "update",
    {
      where: { id: 1 },
      data: { posts: { upsert: [{ where: { id: 1 }, create: { title: "t", slug: "s" }, update: {} }] } },
    },
    "Post.slug",
  ],
  ["User", "findMany", { include: { posts: { where: { slug: "s" } } } }, "Post.slug"],
  ["User", "findMany", { select: { _count: { select: { posts: { where: { slug: "s" } } } } } }, "Post.slug"],
  ["Post", "findUnique", { where: { authorId_slug: { authorId: 1, slug: "s" } } }, "Post.slug"],
];

describe("verifySealedArgs", () => {
  it("the generated map carries Prisma's input types", () => {
    expect(Object.keys(map.inputTypes ?? {}).length).toBeGreaterThan(100);
  });

  it.each(cases)("%s.%s: plaintext left by a walk gap is refused (%s)", (model, operation, args, leak) => {
    let thrown: unknown;
    try {
      verifySealedArgs(compiled, map.inputTypes, model, operation, args);
    } catch (error) {
      thrown = error;
    }
    const [leakModel, leakField] = leak.split(".");
    expect(thrown).toMatchObject({ code: "ENCRYPTION_VALUE_NOT_SEALED", model: leakModel, field: leakField });
    expect(JSON.stringify(thrown)).not.toContain("bio-plain");
  });

  it.each(cases)("%s.%s: the walk's own output passes", (model, operation, args) => {
    const plan = planArgs(compiled, model, operation, args);
    expect(plan.slots.length).toBeGreaterThan(0);
    expect(() => verifySealedArgs(compiled, map.inputTypes, model, operation, plan.args)).not.toThrow();
  });

  it("null checks and non-encrypted columns named like keywords pass untouched", () => {
    for (const [model, operation, args] of [
      ["User", "findMany", { where: { phone: null, notes: { equals: null } } }],
      ["KwOwner", "findFirst", { where: { item: { is: "plain-is" } } }],
      ["KwOwner", "update", { where: { id: 1 }, data: { item: { update: { data: "plain-data" } } } }],
    ] as const) {
      expect(() => verifySealedArgs(compiled, map.inputTypes, model, operation, args)).not.toThrow();
    }
  });
});
