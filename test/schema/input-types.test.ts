/**
 * The generator reads Prisma's input object types: per type that reaches an
 * encrypted column, which fields lead there and which walk handler it
 * belongs to. A reaching type no handler covers fails generation, so a new
 * Prisma operation breaks the build instead of writing plaintext.
 */
import { readFileSync } from "node:fs";
import internals from "@prisma/internals";
import { describe, expect, it } from "vitest";
import { analyzeDatamodel, buildEncryptionMap, type DmmfSchema } from "../../src/schema/index.js";

async function dmmfOf(source: string) {
  return internals.getDMMF({ datamodel: source });
}

const testSchema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");

describe("input types in the encryption map", () => {
  it("covers every input type of the test schema that reaches an encrypted field", async () => {
    const dmmf = await dmmfOf(testSchema);
    const { map, problems } = analyzeDatamodel(dmmf.datamodel, dmmf.schema as unknown as DmmfSchema);
    expect(problems).toEqual([]);
    const inputTypes = map.inputTypes ?? {};
    expect(Object.keys(inputTypes).length).toBeGreaterThan(100);
    expect(inputTypes.UserWhereInput).toMatchObject({
      model: "User",
      handler: "where",
      fields: { email: "encrypted", phone: "encrypted", posts: ["PostListRelationFilter"] },
    });
    // The to-one nested update offers both shapes; the map says which types each leads to.
    expect(inputTypes.KwItemUpdateOneWithoutOwnerNestedInput?.fields.update).toEqual([
      "KwItemUpdateToOneWithWhereWithoutOwnerInput",
      "KwItemUpdateWithoutOwnerInput",
      "KwItemUncheckedUpdateWithoutOwnerInput",
    ]);
    expect(inputTypes.KwItemUpdateToOneWithWhereWithoutOwnerInput).toMatchObject({
      handler: "nested",
      fields: {
        where: ["KwItemWhereInput"],
        data: expect.arrayContaining(["KwItemUpdateWithoutOwnerInput"]),
      },
    });
    // Fields named like keywords are plain columns of KwItem, not leads.
    expect(inputTypes.KwItemUpdateWithoutOwnerInput?.fields).toEqual({ bio: "encrypted", code: "encrypted" });
    // Types of a model without encrypted fields or relations to one are not listed.
    expect(Object.keys(inputTypes).some((name) => name.startsWith("Plain"))).toBe(false);
  });

  it("fails generation when a reaching input type has no handler", async () => {
    const dmmf = await dmmfOf(testSchema);
    const schema = dmmf.schema as unknown as DmmfSchema;
    const types = [
      ...(schema.inputObjectTypes.prisma ?? []),
      {
        name: "UserFrobnicateManyInput",
        meta: { grouping: "User" },
        fields: [{ name: "email", inputTypes: [{ type: "String", location: "scalar" }] }],
      },
      {
        name: "PostFrobnicateNestedInput",
        meta: { grouping: "Post" },
        fields: [
          { name: "frob", inputTypes: [{ type: "UserFrobnicateManyInput", location: "inputObjectTypes" }] },
        ],
      },
    ];
    let thrown: unknown;
    try {
      buildEncryptionMap(dmmf.datamodel, { inputObjectTypes: { prisma: types } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "SCHEMA_INVALID_ANNOTATION" });
    const message = (thrown as Error).message;
    expect(message).toContain("UserFrobnicateManyInput reaches an encrypted field");
    expect(message).toContain("PostFrobnicateNestedInput reaches an encrypted field");
    expect(message).toContain("no handler");
  });

  it("fails generation when a known kind of type gains an argument the walk does not handle", async () => {
    const dmmf = await dmmfOf(testSchema);
    const schema = dmmf.schema as unknown as DmmfSchema;
    const types = (schema.inputObjectTypes.prisma ?? []).map((t) =>
      t.name === "PostUpdateManyWithoutAuthorNestedInput"
        ? {
            ...t,
            fields: [
              ...t.fields,
              {
                name: "replace",
                inputTypes: [{ type: "PostCreateWithoutAuthorInput", location: "inputObjectTypes" }],
              },
            ],
          }
        : t,
    );
    const { problems } = analyzeDatamodel(dmmf.datamodel, { inputObjectTypes: { prisma: types } });
    expect(problems).toEqual([
      {
        location: "Post",
        message: expect.stringContaining(
          'argument "replace" of Prisma input type PostUpdateManyWithoutAuthorNestedInput leads to an encrypted field',
        ),
      },
    ]);
  });

  it("encrypted columns named like update operators (set, increment) generate; operator types are no model's", async () => {
    // Prisma groups NullableStringFieldUpdateOperationsInput under the first model using it.
    const dmmf = await dmmfOf(`
datasource db {
  provider = "sqlite"
}
model Counter {
  id        Int     @id @default(autoincrement())
  set       String? /// @encrypted
  increment String? /// @encrypted
  count     Int
}
`);
    const { map, problems } = analyzeDatamodel(dmmf.datamodel, dmmf.schema as unknown as DmmfSchema);
    expect(problems).toEqual([]);
    expect(map.inputTypes?.CounterUpdateInput?.fields).toEqual({ set: "encrypted", increment: "encrypted" });
    expect(map.inputTypes?.NullableStringFieldUpdateOperationsInput).toBeUndefined();
    expect(map.inputKeys?.NullableStringFieldUpdateOperationsInput).toEqual(["set"]);
  });

  it("is left out for a datamodel alone (hand-built or older callers)", async () => {
    const dmmf = await dmmfOf(testSchema);
    expect(buildEncryptionMap(dmmf.datamodel).inputTypes).toBeUndefined();
  });
});
