/**
 * Held-out style check of the annotation parser: a misspelt `@encrypted`
 * must fail generation (a typo must never leave a column in plaintext), and
 * other tools' annotations must pass untouched.
 */
import { describe, expect, it } from "vitest";
import { parseEncryptedAnnotation } from "../../src/schema/annotations.js";
import { damerauDistance } from "../../src/schema/edit-distance.js";
import { analyzeDatamodel } from "../../src/schema/index.js";
import { datamodelOf } from "./dmmf.js";

/** Misspellings and near-misses of `@encrypted`: each must be an error suggesting the right spelling. */
const MUST_FAIL: readonly string[] = [
  "@encrpyted",
  "@encryted",
  "@ecnrypted",
  "@encripted",
  "@enrcypted",
  "@encrytped(searchable)",
  "@encrypt",
  "@encrypte",
  "@encryptd",
  "@encryptedd",
  "@encrypteds",
  "@Encrypted",
  "@ENCRYPTED",
  "@EnCrYpTeD(searchable)",
  "@encyrpted",
  "@encrypded",
  "@incrypted",
  "@unencrypted",
  "@decrypted",
  "@crypted",
  "@ncrypted",
  "@enrypted",
  "@encrpted",
  "@encryption",
  "@encrypt_me",
  "@encrypted_field",
  "@enc",
  "@encoded",
  "@encryptedSearchable",
  "@encrypetd",
  "@enycrpted",
  "@encryptde",
  "@encrypterd",
  "@encrypted[searchable]",
  "@encrypted:searchable",
  "@encrypted.searchable",
  "@encrypted{searchable}",
  'Login e-mail. @encrpyted(searchable, key: "pii")',
  "Phone number,\nstored @Encrypted",
];

/** Other tools' annotations: never an error, never an annotation. */
const MUST_PASS: readonly string[] = [
  "@zod.string.email()",
  "@deprecated use contact instead",
  "@TypeGraphQL.omit(output: true)",
  "@HideField()",
  "@Field(() => String)",
  "@omit",
  "@readonly",
  "@pii",
  "@format email",
  "@description The user's display name",
  "@default(now) is set by the database",
  "@see https://example.com/docs",
  "@internal",
  "mail to ops@encrypted.example",
];

describe("misspelt @encrypted fails", () => {
  it("has a table of at least 30 misspellings and 10 foreign annotations", () => {
    expect(MUST_FAIL.length).toBeGreaterThanOrEqual(30);
    expect(MUST_PASS.length).toBeGreaterThanOrEqual(10);
  });

  it.each(MUST_FAIL)("%j is an error suggesting @encrypted", (doc) => {
    const { annotation, errors } = parseEncryptedAnnotation(doc);
    expect(errors.length, `no error for ${JSON.stringify(doc)}`).toBeGreaterThan(0);
    expect(errors.join("\n")).toContain("did you mean @encrypted");
    if (annotation !== undefined) expect(errors.length).toBeGreaterThan(0);
  });

  it.each(MUST_PASS)("%j is left alone", (doc) => {
    expect(parseEncryptedAnnotation(doc)).toEqual({ annotation: undefined, errors: [] });
  });

  it("keeps the options in the suggestion", () => {
    const [error] = parseEncryptedAnnotation('@encrpyted(searchable, key: "pii")').errors;
    expect(error).toContain('unknown annotation "@encrpyted"');
    expect(error).toContain('@encrypted(searchable, key: "pii")');
  });

  it("fails generation naming Model.field", async () => {
    const { problems } = analyzeDatamodel(
      await datamodelOf(`
model User {
  id    Int     @id @default(autoincrement())
  email String  @unique /// @encrytped(searchable)
  phone String? /// @ecnrypted
  bio   String? /// @zod.string.max(200) @deprecated
}`),
    );
    expect(problems.map((p) => p.location)).toEqual(["User.email", "User.phone"]);
    expect(problems[0]?.message).toContain("did you mean @encrypted(searchable)");
    expect(problems[1]?.message).toContain("did you mean @encrypted");
  });
});

describe("option values show the accepted form", () => {
  const errorOf = (doc: string) => {
    const { errors } = parseEncryptedAnnotation(doc);
    expect(errors.length).toBeGreaterThan(0);
    return errors.join("\n");
  };

  it("searchable: true → write @encrypted(searchable)", () => {
    const message = errorOf("@encrypted(searchable: true)");
    expect(message).toContain("write @encrypted(searchable)");
    expect(message).not.toContain("double-quoted");
  });

  it("searchable = true and searchable: false", () => {
    expect(errorOf("@encrypted(searchable = true)")).toContain("write @encrypted(searchable)");
    expect(errorOf("@encrypted(searchable: false)")).toContain("leave it out");
  });

  it("an unquoted or single-quoted key shows the quoted form", () => {
    expect(errorOf("@encrypted(key: archive)")).toContain('write key: "archive"');
    expect(errorOf("@encrypted(key: 'archive')")).toContain('write key: "archive"');
    expect(errorOf('@encrypted(key = "archive")')).toContain('write key: "archive"');
  });

  it("a misspelt option name suggests the known one", () => {
    expect(errorOf("@encrypted(serchable)")).toContain('did you mean "searchable"');
    expect(errorOf('@encrypted(keys: "pii")')).toContain('did you mean "key"');
    expect(errorOf('@encrypted(bnding: "A.b")')).toContain('did you mean "binding"');
  });

  it("a quoted option name shows the bare form", () => {
    expect(errorOf('@encrypted("searchable")')).toContain("write @encrypted(searchable)");
  });
});

describe("damerauDistance", () => {
  it("counts a transposition as one edit", () => {
    expect(damerauDistance("encrypted", "encrypted")).toBe(0);
    expect(damerauDistance("encrpyted", "encrypted")).toBe(1);
    expect(damerauDistance("ecnrypted", "encrypted")).toBe(1);
    expect(damerauDistance("encryted", "encrypted")).toBe(1);
    expect(damerauDistance("encripted", "encrypted")).toBe(1);
    expect(damerauDistance("enycrpted", "encrypted")).toBe(2);
    expect(damerauDistance("deprecated", "encrypted")).toBeGreaterThan(2);
  });
});
