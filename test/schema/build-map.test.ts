import { describe, expect, it } from "vitest";
import { isNcpKmsError } from "../../src/errors.js";
import { analyzeDatamodel, buildEncryptionMap, SchemaAnnotationError } from "../../src/schema/index.js";
import { datamodelOf } from "./dmmf.js";

async function problemsOf(models: string): Promise<string[]> {
  const { problems } = analyzeDatamodel(await datamodelOf(models));
  return problems.map((p) => `${p.location}: ${p.message}`);
}

describe("buildEncryptionMap: the map", () => {
  it("applies key defaults and reads key, binding and types", async () => {
    const map = buildEncryptionMap(
      await datamodelOf(`
model User {
  id     Int     @id @default(autoincrement())
  email  String  @unique /// @encrypted(searchable)
  phone  String? /// @encrypted
  notes  Json?   /// @encrypted(key: "archive")
  avatar Bytes   /// @encrypted
  taxId  String? /// National ID. @encrypted(searchable, key: "pii", binding: "Person.taxId")
  name   String?
}`),
    );
    const user = map.models.User!;
    expect(map.version).toBe(1);
    expect(user.encrypted).toEqual({
      email: {
        name: "email",
        type: "String",
        searchable: true,
        key: "searchable",
        binding: "User.email",
        isRequired: true,
        isUnique: true,
        dbName: "email",
      },
      phone: {
        name: "phone",
        type: "String",
        searchable: false,
        key: "default",
        binding: "User.phone",
        isRequired: false,
        isUnique: false,
        dbName: "phone",
      },
      notes: {
        name: "notes",
        type: "Json",
        searchable: false,
        key: "archive",
        binding: "User.notes",
        isRequired: false,
        isUnique: false,
        dbName: "notes",
      },
      avatar: {
        name: "avatar",
        type: "Bytes",
        searchable: false,
        key: "default",
        binding: "User.avatar",
        isRequired: true,
        isUnique: false,
        dbName: "avatar",
      },
      taxId: {
        name: "taxId",
        type: "String",
        searchable: true,
        key: "pii",
        binding: "Person.taxId",
        isRequired: false,
        isUnique: false,
        dbName: "taxId",
      },
    });
    expect(user.scalars).toEqual(["id", "email", "phone", "notes", "avatar", "taxId", "name"]);
    expect(user.idFields).toEqual(["id"]);
    expect(user.uniqueFields).toEqual([["email"]]);
    expect(user.reachesEncrypted).toBe(true);
  });

  it("records @map/@@map names", async () => {
    const map = buildEncryptionMap(
      await datamodelOf(`
model Account {
  id   Int    @id
  mail String @map("mail_address") /// @encrypted
  @@map("accounts")
}`),
    );
    expect(map.models.Account!.dbName).toBe("accounts");
    expect(map.models.Account!.encrypted.mail!.dbName).toBe("mail_address");
  });

  it("names compound selectors as Prisma does in where, and lists unique constraints", async () => {
    const map = buildEncryptionMap(
      await datamodelOf(`
model Post {
  id       Int    @id
  slug     String /// @encrypted(searchable)
  authorId Int
  lang     String
  code     String @unique
  @@unique([authorId, slug])
  @@unique([authorId, lang], name: "byLanguage")
}
model Audit {
  tenant String
  seq    Int
  body   String /// @encrypted
  @@id([tenant, seq])
}
model Named {
  a Int
  b Int
  @@id(name: "ab", [a, b])
}`),
    );
    const post = map.models.Post!;
    expect(post.compoundSelectors).toEqual({
      authorId_slug: ["authorId", "slug"],
      byLanguage: ["authorId", "lang"],
    });
    expect(post.uniqueFields).toEqual([["code"], ["authorId", "slug"], ["authorId", "lang"]]);
    expect(map.models.Audit!.idFields).toEqual(["tenant", "seq"]);
    expect(map.models.Audit!.compoundSelectors).toEqual({ tenant_seq: ["tenant", "seq"] });
    expect(map.models.Named!.compoundSelectors).toEqual({ ab: ["a", "b"] });
  });

  it("describes relations and computes reachesEncrypted over the relation graph", async () => {
    const map = buildEncryptionMap(
      await datamodelOf(`
model Org {
  id    Int    @id
  teams Team[]
}
model Team {
  id      Int      @id
  orgId   Int
  org     Org      @relation(fields: [orgId], references: [id])
  members Member[] @relation("TeamMembers")
}
model Member {
  id    Int    @id
  email String /// @encrypted(searchable)
  teams Team[] @relation("TeamMembers")
}
model Plain {
  id    Int     @id
  label String
  tags  Label[]
}
model Label {
  id      Int   @id
  plainId Int
  plain   Plain @relation(fields: [plainId], references: [id])
}`),
    );
    expect(Object.keys(map.models)).toEqual(["Label", "Member", "Org", "Plain", "Team"]);
    expect(map.models.Team!.relations).toEqual({
      org: { name: "org", model: "Org", isList: false },
      members: { name: "members", model: "Member", isList: true },
    });
    expect(map.models.Team!.scalars).toEqual(["id", "orgId"]);
    // Org has no encrypted field and reaches one two hops away (Org → Team → Member).
    expect(map.models.Member!.reachesEncrypted).toBe(true);
    expect(map.models.Team!.reachesEncrypted).toBe(true);
    expect(map.models.Org!.reachesEncrypted).toBe(true);
    // A relation cycle with no encrypted field reaches nothing.
    expect(map.models.Plain!.reachesEncrypted).toBe(false);
    expect(map.models.Label!.reachesEncrypted).toBe(false);
    expect(map.models.Plain!.encrypted).toEqual({});
  });
});

describe("buildEncryptionMap: validation", () => {
  it("throws one SchemaAnnotationError listing every problem as Model.field", async () => {
    const datamodel = await datamodelOf(`
model User {
  id    Int    @id
  age   Int    /// @encrypted
  email String /// @encrypted(serchable)
}`);
    let caught: unknown;
    try {
      buildEncryptionMap(datamodel);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaAnnotationError);
    expect(isNcpKmsError(caught)).toBe(true);
    const error = caught as SchemaAnnotationError;
    expect(error.code).toBe("SCHEMA_INVALID_ANNOTATION");
    expect(error.problems.map((p) => p.location)).toEqual(["User.age", "User.email"]);
    expect(error.message).toContain("(2 problems)");
    expect(error.message).toContain(
      "  - User.age: @encrypted on Int is not supported (supported: String, Json, Bytes)",
    );
    expect(error.message).toContain('  - User.email: unknown option "serchable"');
  });

  it("rejects unsupported types, enums and lists", async () => {
    expect(
      await problemsOf(`
enum Role {
  A
  B
}
model T {
  id   Int      @id
  n    Int      /// @encrypted
  d    DateTime /// @encrypted
  b    Boolean  /// @encrypted
  dec  Decimal  /// @encrypted
  role Role     /// @encrypted
}`),
    ).toEqual([
      "T.n: @encrypted on Int is not supported (supported: String, Json, Bytes)",
      "T.d: @encrypted on DateTime is not supported (supported: String, Json, Bytes)",
      "T.b: @encrypted on Boolean is not supported (supported: String, Json, Bytes)",
      "T.dec: @encrypted on Decimal is not supported (supported: String, Json, Bytes)",
      "T.role: @encrypted on Role is not supported (supported: String, Json, Bytes)",
    ]);
  });

  it("rejects @encrypted on a relation field", async () => {
    expect(
      await problemsOf(`
model A {
  id Int @id
  bs B[] /// @encrypted
}
model B {
  id  Int @id
  aId Int
  a   A   @relation(fields: [aId], references: [id])
}`),
    ).toEqual(["A.bs: @encrypted on a relation field (B); mark the related model's columns instead"]);
  });

  it("rejects searchable on a non-String", async () => {
    expect(
      await problemsOf(`
model T {
  id Int   @id
  j  Json  /// @encrypted(searchable)
  b  Bytes /// @encrypted(searchable)
}`),
    ).toEqual([
      "T.j: searchable is only supported on String fields, not Json",
      "T.b: searchable is only supported on String fields, not Bytes",
    ]);
  });

  it("rejects a marked @id and a marked part of @@id", async () => {
    expect(
      await problemsOf(`
model A {
  id String @id /// @encrypted(searchable)
}
model B {
  tenant String /// @encrypted(searchable)
  seq    Int
  @@id([tenant, seq])
}`),
    ).toEqual([
      "A.id: an @id field cannot be encrypted",
      "B.tenant: a field of the @@id cannot be encrypted",
    ]);
  });

  it("rejects a bad key name, naming the field", async () => {
    expect(
      await problemsOf(`
model T {
  id Int    @id
  s  String /// @encrypted(key: "")
}`),
    ).toEqual(['T.s: key must be a non-empty name (letters, digits, "_", ".", "-"), got ""']);
  });

  it("rejects relation keys, defaults, and unique fields that are not searchable", async () => {
    expect(
      await problemsOf(`
model Account {
  id    Int     @id
  code  String  @unique /// @encrypted(searchable)
  mail  String  @unique /// @encrypted
  token String  @default(uuid()) /// @encrypted
  links Link[]
}
model Link {
  id   Int     @id
  code String  /// @encrypted(searchable)
  acc  Account @relation(fields: [code], references: [code])
}`),
    ).toEqual([
      "Account.code: a column referenced by Link.acc cannot be encrypted (relations join on the plain value)",
      "Account.mail: a unique field must be @encrypted(searchable): random ciphertexts never collide, so the constraint would enforce nothing",
      "Account.token: an encrypted field cannot have @default (the default would be stored unencrypted)",
      'Link.code: a foreign key of relation "acc" cannot be encrypted (relations join on the plain value)',
    ]);
  });

  it("rejects two columns with the same binding", async () => {
    expect(
      await problemsOf(`
model User {
  id       Int     @id
  email    String? /// @encrypted(searchable)
  oldEmail String? /// @encrypted(searchable, binding: "User.email")
}`),
    ).toEqual(['User.oldEmail: binding "User.email" is already used by User.email']);
  });

  it("rejects @encrypted in a model's documentation", async () => {
    expect(
      await problemsOf(`
/// @encrypted
model T {
  id Int @id
}`),
    ).toEqual(["T: @encrypted goes in a field's /// comment, not the model's"]);
  });
});

describe("@@schema (PostgreSQL multi-schema)", () => {
  it("lands in the map as dbSchema, and migrate's SQL table carries it", async () => {
    const internals = (await import("@prisma/internals")).default;
    const dmmf = await internals.getDMMF({
      datamodel: `datasource db {
  provider = "postgresql"
  schemas  = ["app", "public"]
}
model Person {
  id    Int    @id
  email String @unique /// @encrypted(searchable)
  @@schema("app")
  @@map("people")
}
model Plain {
  id Int @id
  @@schema("public")
}`,
    });
    const map = buildEncryptionMap(dmmf.datamodel);
    expect(map.models.Person).toMatchObject({ dbName: "people", dbSchema: "app" });
    const { accessPrisma } = await import("../../src/migrate/prisma-access.js");
    const fakeClient = {
      _activeProvider: "postgresql",
      $transaction: async () => [],
      $executeRawUnsafe: async () => 0,
      $queryRawUnsafe: async () => [],
      person: { findMany: async () => [] },
    };
    const access = accessPrisma(fakeClient, map);
    const delegate = access.delegate("Person");
    expect(access.sqlTable(delegate)).toMatchObject({ schema: "app", table: "people" });
  });
});
