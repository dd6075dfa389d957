import { describe, expect, it } from "vitest";
import { parseEncryptedAnnotation } from "../../src/schema/annotations.js";

function ok(doc: string) {
  const result = parseEncryptedAnnotation(doc);
  expect(result.errors).toEqual([]);
  return result.annotation;
}

function errorsOf(doc: string): readonly string[] {
  const { errors } = parseEncryptedAnnotation(doc);
  expect(errors.length).toBeGreaterThan(0);
  return errors;
}

describe("parseEncryptedAnnotation: valid forms", () => {
  it("returns no annotation for missing, empty or unrelated documentation", () => {
    expect(parseEncryptedAnnotation(undefined)).toEqual({ annotation: undefined, errors: [] });
    expect(parseEncryptedAnnotation("")).toEqual({ annotation: undefined, errors: [] });
    expect(parseEncryptedAnnotation("The user's display name. @deprecated")).toEqual({
      annotation: undefined,
      errors: [],
    });
  });

  it("parses the bare form", () => {
    expect(ok("@encrypted")).toEqual({ searchable: false });
    expect(ok("@encrypted()")).toEqual({ searchable: false });
  });

  it("parses searchable", () => {
    expect(ok("@encrypted(searchable)")).toEqual({ searchable: true });
  });

  it("parses key", () => {
    expect(ok('@encrypted(key: "archive")')).toEqual({ searchable: false, key: "archive" });
  });

  it("parses searchable with key, in either order", () => {
    expect(ok('@encrypted(searchable, key: "pii")')).toEqual({ searchable: true, key: "pii" });
    expect(ok('@encrypted(key: "pii", searchable)')).toEqual({ searchable: true, key: "pii" });
  });

  it("parses binding", () => {
    expect(ok('@encrypted(binding: "User.email")')).toEqual({ searchable: false, binding: "User.email" });
    expect(ok('@encrypted(searchable, key: "pii", binding: "Account.mail")')).toEqual({
      searchable: true,
      key: "pii",
      binding: "Account.mail",
    });
  });

  it("accepts whitespace, newlines and a trailing comma inside the parentheses", () => {
    expect(ok('@encrypted(  searchable ,key :  "pii" , )')).toEqual({ searchable: true, key: "pii" });
    expect(ok('@encrypted(\n  searchable,\n  key: "pii"\n)')).toEqual({ searchable: true, key: "pii" });
    expect(ok("@encrypted (searchable)")).toEqual({ searchable: true });
  });

  it("finds the annotation among other doc text and lines", () => {
    expect(ok("Primary email. @encrypted(searchable)")).toEqual({ searchable: true });
    expect(ok("Primary email.\n@encrypted(searchable)\nUsed for login.")).toEqual({ searchable: true });
    expect(ok("@encrypted, because it is personal data")).toEqual({ searchable: false });
    expect(ok("@encrypted. Rotated yearly.")).toEqual({ searchable: false });
  });

  it("ignores @encrypted inside an e-mail address or a longer @word", () => {
    expect(parseEncryptedAnnotation("Contact ops@encrypted.example about it")).toEqual({
      annotation: undefined,
      errors: [],
    });
  });

  it("reads escaped quotes in string values", () => {
    expect(ok('@encrypted(binding: "Legacy.\\"mail\\"")')).toEqual({
      searchable: false,
      binding: 'Legacy."mail"',
    });
  });
});

describe("parseEncryptedAnnotation: errors", () => {
  it("rejects an unknown option and names the known ones", () => {
    const [error] = errorsOf("@encrypted(serchable)");
    expect(error).toContain('unknown option "serchable"');
    expect(error).toContain("searchable, key, binding");
  });

  it("rejects duplicate options", () => {
    expect(errorsOf("@encrypted(searchable, searchable)")).toEqual([
      'duplicate option "searchable" in @encrypted(...)',
    ]);
    expect(errorsOf('@encrypted(key: "a", key: "b")')).toEqual(['duplicate option "key" in @encrypted(...)']);
  });

  it("collects several option errors from one annotation", () => {
    const errors = errorsOf('@encrypted(colour: "red", key: "a", key: "b", size)');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('unknown option "colour"');
    expect(errors[1]).toContain('duplicate option "key"');
    expect(errors[2]).toContain('unknown option "size"');
  });

  it("rejects a value on searchable", () => {
    expect(errorsOf('@encrypted(searchable: "yes")')[0]).toContain('"searchable" takes no value');
  });

  it("rejects key or binding without a value", () => {
    expect(errorsOf("@encrypted(key)")[0]).toContain('option "key" needs a value');
    expect(errorsOf("@encrypted(binding)")[0]).toContain('option "binding" needs a value');
  });

  it("rejects an unquoted value", () => {
    expect(errorsOf("@encrypted(key: archive)")[0]).toContain(
      'option "key" needs a double-quoted string value',
    );
    expect(errorsOf("@encrypted(key: 'archive')")[0]).toContain("double-quoted");
  });

  it("rejects an empty or malformed key name", () => {
    expect(errorsOf('@encrypted(key: "")')[0]).toContain("key must be a non-empty name");
    expect(errorsOf('@encrypted(key: "my key")')[0]).toContain("key must be a non-empty name");
  });

  it("rejects an empty binding or one with spaces", () => {
    expect(errorsOf('@encrypted(binding: "")')[0]).toContain("binding must be a non-empty string");
    expect(errorsOf('@encrypted(binding: "User email")')[0]).toContain("binding must be a non-empty string");
  });

  it("rejects unclosed parentheses and unterminated strings", () => {
    expect(errorsOf("@encrypted(searchable")[0]).toContain('missing ")"');
    expect(errorsOf("@encrypted(searchable,")[0]).toContain('missing ")"');
    expect(errorsOf('@encrypted(key: "pii)')[0]).toContain('unterminated string in option "key"');
  });

  it("rejects a missing comma and junk in the option list", () => {
    expect(errorsOf('@encrypted(searchable key: "a")')[0]).toContain('expected "," or ")"');
    expect(errorsOf("@encrypted(,searchable)")[0]).toContain("expected an option name");
    expect(errorsOf("@encrypted(42)")[0]).toContain("expected an option name");
  });

  it("rejects @encrypted given twice", () => {
    expect(errorsOf("@encrypted\n@encrypted(searchable)")).toEqual(["@encrypted appears more than once"]);
  });

  it("rejects misspellings instead of leaving the column in plaintext", () => {
    expect(errorsOf("@encrypt")[0]).toContain('unknown annotation "@encrypt"');
    expect(errorsOf("@Encrypted(searchable)")[0]).toContain('unknown annotation "@Encrypted"');
    expect(errorsOf("@encryptedd")[0]).toContain('unknown annotation "@encryptedd"');
    expect(errorsOf("@encrypted_field")[0]).toContain('unknown annotation "@encrypted_field"');
  });
});
