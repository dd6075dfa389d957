/**
 * The pure walk, without a database: args are never mutated (deep-frozen
 * inputs), slots land where Prisma expects the ciphertext, results are
 * copied, and only models that reach an encrypted field get a hook.
 */
import { describe, expect, it } from "vitest";
import { compileMap } from "../../src/extension/compiled-map.js";
import { resolveOptions } from "../../src/extension/config.js";
import { queryHooks } from "../../src/extension/hooks.js";
import { planArgs } from "../../src/extension/walk/args.js";
import { planResult, resultTarget, selectionMayHoldEncrypted } from "../../src/extension/walk/result.js";
import { KeyChecker } from "../../src/field-crypto/key-check.js";
import type { KmsCrypto } from "../../src/kms/types.js";
import { map } from "./setup.js";

const compiled = compileMap(map, { default: "k-default", searchable: "k-searchable", archive: "k-archive" });

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe("args walk", () => {
  it("rewrites nested writes at depth into slots, on a copy, leaving frozen input untouched", () => {
    // An update: its data may hold nested creates, upserts and to-one updates (Prisma's UserUpdateInput).
    const args = deepFreeze({
      where: { id: 1 },
      data: {
        email: "a@example.com",
        phone: { set: "p" },
        posts: {
          create: [{ title: "t", slug: "s1", tags: { create: { label: "l" } } }],
          upsert: [
            { where: { id: 1 }, create: { title: "u", slug: "s2" }, update: { secret: { set: "x" } } },
          ],
        },
        profile: { update: { where: { taxId: "T" }, data: { bio: "b" } } },
      },
      include: { posts: { where: { slug: { in: ["s1", "s2"] } } } },
    });
    const plan = planArgs(compiled, "User", "update", args);
    expect(plan.slots.map((s) => s.field.label)).toEqual([
      "User.email",
      "User.phone",
      "Post.slug",
      "Post.slug",
      "Post.secret",
      "Profile.taxId",
      "Profile.bio",
      "Post.slug",
      "Post.slug",
    ]);
    plan.slots.forEach((slot, i) => {
      slot.fill(`ct${i}`);
    });
    const out = plan.args as typeof args;
    expect(out.data.email).toBe("ct0");
    expect(out.data.phone).toEqual({ set: "ct1" });
    expect(out.data.posts.create[0]?.slug).toBe("ct2");
    expect(out.data.posts.create[0]?.tags).toBe(args.data.posts.create[0]?.tags);
    expect(out.data.profile.update.where).toEqual({ taxId: "ct5" });
    expect(out.include.posts.where.slug.in).toEqual(["ct7", "ct8"]);
    expect(args.data.email).toBe("a@example.com");
  });

  it("returns the very same args when nothing is encrypted", () => {
    const args = deepFreeze({ where: { id: 1, name: "x" }, select: { id: true, name: true } });
    const plan = planArgs(compiled, "User", "findMany", args);
    expect(plan.args).toBe(args);
    expect(plan.slots).toHaveLength(0);
    expect(selectionMayHoldEncrypted(compiled, compiled.model("User"), args)).toBe(false);
  });

  it("treats a to-one `is` key and a Json object value by the map, not by their names", () => {
    const json = deepFreeze({ data: { email: "e", notes: { set: 1, is: true } } });
    const plan = planArgs(compiled, "User", "update", json);
    expect(plan.slots.map((s) => s.field.label)).toEqual(["User.email", "User.notes"]);
  });
});

describe("result walk", () => {
  it("finds ciphertext by the map in nested rows and copies what it changes", () => {
    const rows = deepFreeze([
      { id: 1, email: "ncpkms:v1:AAAA", phone: null, posts: [{ id: 2, title: "t", slug: "ncpkms:v1:BBBB" }] },
      { id: 3, email: "legacy@example.com", phone: null, posts: [] },
    ]);
    const plan = planResult(compiled, compiled.model("User"), rows, true);
    expect(plan.slots.map((s) => [s.field.label, s.rowId])).toEqual([
      ["User.email", 1],
      ["Post.slug", 2],
    ]);
    plan.slots.forEach((slot) => {
      slot.fill("plain");
    });
    const out = plan.result as typeof rows;
    expect(out[0]?.email).toBe("plain");
    expect(out[0]?.posts[0]?.slug).toBe("plain");
    expect(out[1]).toBe(rows[1]);
    expect(rows[0]?.email).toBe("ncpkms:v1:AAAA");
  });

  it("follows the Fluent API dataPath to the related model and its selection", () => {
    const args = { where: { id: 1 }, select: { author: { select: { profile: { select: { bio: true } } } } } };
    const target = resultTarget(compiled, compiled.model("Post"), args, [
      "select",
      "author",
      "select",
      "profile",
    ]);
    expect(target.model.name).toBe("Profile");
    expect(target.selection).toEqual({ select: { bio: true } });
    expect(selectionMayHoldEncrypted(compiled, target.model, target.selection)).toBe(true);
    const tags = resultTarget(compiled, compiled.model("Post"), { select: { tags: true } }, [
      "select",
      "tags",
    ]);
    expect(selectionMayHoldEncrypted(compiled, tags.model, tags.selection)).toBe(false);
  });
});

describe("hooks", () => {
  it("are registered only on models that reach an encrypted field", () => {
    const kms = { encryptMany: async () => [], decryptManySettled: async () => [] } as unknown as KmsCrypto;
    const options = resolveOptions({ map, kms, keys: { default: "a", searchable: "b" } });
    const hooks = queryHooks(compiled, options, new KeyChecker(kms, []));
    expect(Object.keys(hooks).sort()).toEqual([
      "auditEntry",
      "group",
      "kwEntry",
      "kwItem",
      "kwOwner",
      "post",
      "profile",
      "tag",
      "user",
    ]);
    expect(hooks).not.toHaveProperty("plain");
  });
});
