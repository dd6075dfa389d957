/**
 * The walk driven by Prisma's input types (the map's `operations` and
 * `inputTypes`), without a database: each argument starts from the types
 * Prisma accepts for it, each position keeps the types whose key set and
 * value shapes fit, and each key goes where its type says. Key names never
 * decide: an encrypted column named `data`, `where` or `set` is encrypted as
 * a column, and an argument the walker has no code for is walked because the
 * map says where it leads.
 */
import internals from "@prisma/internals";
import { describe, expect, it } from "vitest";
import { compileMap } from "../../src/extension/compiled-map.js";
import { planArgs } from "../../src/extension/walk/args.js";
import { verifySealedArgs } from "../../src/extension/walk/verify.js";
import { buildEncryptionMap, type DmmfSchema, type EncryptionMap } from "../../src/schema/index.js";
import { map } from "./setup.js";

const keys = { default: "k-default", searchable: "k-searchable", archive: "k-archive" };
const compiled = compileMap(map, keys);
const labels = (plan: ReturnType<typeof planArgs>) => plan.slots.map((s) => s.field.label);

describe("walk by input types", () => {
  it("starts from the operation's root argument types, taken from Prisma's Query/Mutation", () => {
    expect(map.operations?.KwOwner?.update).toEqual({
      data: ["KwOwnerUpdateInput", "KwOwnerUncheckedUpdateInput"],
      where: ["KwOwnerWhereUniqueInput"],
    });
    expect(map.operations?.User?.createMany?.data).toEqual(["UserCreateManyInput"]);
    expect(map.relationArgs?.User?.posts).toMatchObject({
      where: ["PostWhereInput"],
      cursor: ["PostWhereUniqueInput"],
    });
  });

  it("walks an argument it has no code for when the map says it leads to an encrypted column", () => {
    // As if a newer Prisma added `replace` to the nested list update of User.posts.
    const nested = map.inputTypes?.PostUpdateManyWithoutAuthorNestedInput;
    expect(nested).toBeDefined();
    const extended: EncryptionMap = {
      ...map,
      inputTypes: {
        ...map.inputTypes,
        PostUpdateManyWithoutAuthorNestedInput: {
          ...nested!,
          fields: { ...nested!.fields, replace: ["PostCreateWithoutAuthorInput"] },
          accepts: {
            ...nested!.accepts,
            replace: ["PostCreateWithoutAuthorInput", "PostCreateWithoutAuthorInput[]"],
          },
        },
      },
    };
    const args = { where: { id: 1 }, data: { posts: { replace: [{ title: "t", slug: "slug-probe" }] } } };
    const plan = planArgs(compileMap(extended, keys), "User", "update", args);
    expect(labels(plan)).toEqual(["Post.slug"]);
  });

  it("a create that fits both UserCreateInput and UserUncheckedCreateInput is walked once, not refused", () => {
    const plan = planArgs(compiled, "User", "create", {
      data: { email: "a@example.com", posts: { create: [{ title: "t", slug: "s" }] } },
    });
    expect(labels(plan)).toEqual(["User.email", "Post.slug"]);
    expect(() => verifySealedArgs(compiled, map.inputTypes, "User", "create", plan.args)).not.toThrow();
  });

  it("keys only another operation's types allow are not walked (Prisma refuses them)", () => {
    // `upsert` is not a key of PostCreateNestedManyWithoutAuthorInput: no reading of a create puts it there.
    const plan = planArgs(compiled, "User", "create", {
      data: {
        email: "a@example.com",
        posts: { upsert: [{ where: { id: 1 }, create: { title: "t", slug: "s" }, update: {} }] },
      },
    });
    expect(labels(plan)).toEqual(["User.email"]);
  });

  it("refuses a value two input types fit that they would encrypt differently, naming no value", () => {
    let thrown: unknown;
    try {
      planArgs(compiled, "KwOwner", "update", {
        where: { id: 1 },
        data: { item: { update: { where: "not-a-where", data: { bio: "bio-plain-probe" } } } },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "ENCRYPTION_AMBIGUOUS_INPUT", model: "KwItem" });
    expect((thrown as Error).message).toContain("KwItemUpdateToOneWithWhereWithoutOwnerInput");
    expect((thrown as Error).message).not.toContain("bio-plain-probe");
  });
});

describe("maps without operations (hand-built, older generators) keep the positional walk", () => {
  const { operations: _o, relationArgs: _r, ...older } = map;
  const positional = compileMap(older as EncryptionMap, keys);
  const cases: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
    [
      "User",
      "create",
      { data: { email: "a@example.com", phone: "p", posts: { create: { title: "t", slug: "s" } } } },
    ],
    ["User", "findMany", { where: { OR: [{ email: "a" }] }, include: { posts: { where: { slug: "s" } } } }],
    [
      "KwOwner",
      "update",
      { where: { id: 1 }, data: { item: { update: { where: { id: 1 }, data: { bio: "b" } } } } },
    ],
    ["KwOwner", "update", { where: { id: 1 }, data: { item: { update: { data: "d", bio: "b" } } } }],
    ["KwOwner", "findFirst", { where: { item: { is: { code: "c" } } } }],
  ];
  it.each(cases)("%s.%s: both walks encrypt the same columns", (model, operation, args) => {
    expect(positional.operationArgs(model, operation)).toBeUndefined();
    expect(labels(planArgs(positional, model, operation, args))).toEqual(
      labels(planArgs(compiled, model, operation, args)),
    );
  });
});

describe("encrypted columns named like Prisma's arguments", async () => {
  const schema = `
datasource db {
  provider = "sqlite"
}
model Owner {
  id   Int   @id @default(autoincrement())
  note Note?
  logs Log[]
  pair Pair?
}
model Pair {
  id      Int     @id @default(autoincrement())
  data    String? /// @encrypted
  set     String? /// @encrypted
  ownerId Int     @unique
  owner   Owner   @relation(fields: [ownerId], references: [id])
}
model Note {
  id      Int     @id @default(autoincrement())
  data    String? @unique /// @encrypted(searchable)
  where   String? /// @encrypted
  ownerId Int     @unique
  owner   Owner   @relation(fields: [ownerId], references: [id])
}
model Log {
  id      Int     @id @default(autoincrement())
  set     String? /// @encrypted
  every   String? /// @encrypted(searchable)
  ownerId Int
  owner   Owner   @relation(fields: [ownerId], references: [id])
}
`;
  const dmmf = await internals.getDMMF({ datamodel: schema });
  const kwMap = buildEncryptionMap(dmmf.datamodel, dmmf.schema as unknown as DmmfSchema);
  const kw = compileMap(kwMap, { default: "k-default", searchable: "k-searchable" });
  const update = (data: unknown) => planArgs(kw, "Owner", "update", { where: { id: 1 }, data });
  const sealed = (operation: string, plan: ReturnType<typeof planArgs>) =>
    verifySealedArgs(kw, kwMap.inputTypes, "Owner", operation, plan.args);

  it("the nested update's data and where stay arguments where the model has columns of those names", () => {
    expect(kwMap.inputTypes?.NoteUpdateToOneWithWhereWithoutOwnerInput?.fields).toEqual({
      where: ["NoteWhereInput"],
      data: ["NoteUpdateWithoutOwnerInput", "NoteUncheckedUpdateWithoutOwnerInput"],
    });
  });

  it("bare data: update { data, where } writes both columns encrypted", () => {
    const plan = update({ note: { update: { data: "data-probe", where: "where-probe" } } });
    expect(labels(plan)).toEqual(["Note.data", "Note.where"]);
    sealed("update", plan);
  });

  it("wrapped: update { where: {...}, data: { data } } filters by the where and writes the column", () => {
    const plan = update({ note: { update: { where: { data: "old" }, data: { data: "new-probe" } } } });
    expect(labels(plan)).toEqual(["Note.data", "Note.data"]);
    const out = plan.args as {
      data: { note: { update: { where: { data: unknown }; data: { data: unknown } } } };
    };
    expect(out.data.note.update.where.data).toBe(plan.slots[0]);
    expect(out.data.note.update.data.data).toBe(plan.slots[1]);
  });

  it("{ data: { set } } is the column's update operator, not wrapped data", () => {
    const plan = update({ note: { update: { data: { set: "set-probe" } } } });
    expect(labels(plan)).toEqual(["Note.data"]);
    sealed("update", plan);
  });

  it("refuses { data: { set } } where both readings fit and encrypt different columns", () => {
    // Wrapped: column `set` := value. Bare: column `data` := { set: value }. Prisma could take either.
    expect(() => update({ pair: { update: { data: { set: "pair-probe" } } } })).toThrow(
      expect.objectContaining({ code: "ENCRYPTION_AMBIGUOUS_INPUT", model: "Pair" }),
    );
    // Spelled out, each is accepted: the wrapper with its where, the bare data with another column.
    expect(labels(update({ pair: { update: { where: { id: 1 }, data: { set: "p1-probe" } } } }))).toEqual([
      "Pair.set",
    ]);
    expect(labels(update({ pair: { update: { data: "p2-probe", set: "p3-probe" } } }))).toEqual([
      "Pair.data",
      "Pair.set",
    ]);
  });

  it("list columns named set and every: nested create, updateMany and list filters", () => {
    const plan = update({
      logs: {
        create: [{ set: "s1-probe", every: "e1-probe" }],
        updateMany: { where: { every: "e1-probe" }, data: { set: { set: "s2-probe" } } },
      },
    });
    expect(labels(plan)).toEqual(["Log.set", "Log.every", "Log.every", "Log.set"]);
    sealed("update", plan);
    const filter = planArgs(kw, "Owner", "findMany", { where: { logs: { every: { every: "e1-probe" } } } });
    expect(labels(filter)).toEqual(["Log.every"]);
    expect(() => planArgs(kw, "Owner", "findMany", { where: { logs: { some: { set: "x" } } } })).toThrow(
      expect.objectContaining({ code: "ENCRYPTION_UNSUPPORTED_QUERY", field: "set" }),
    );
  });
});
