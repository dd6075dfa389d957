import { describe, expect, it } from "vitest";
import {
  checkCiphertexts,
  envelopeProblemCode,
  isWellFormedCiphertext,
  KmsOutputInvalidError,
} from "../../src/field-crypto/index.js";

describe("isWellFormedCiphertext", () => {
  it("accepts ncpkms:v<N>: with canonical padded base64", () => {
    for (const ok of ["ncpkms:v1:AAAA", "ncpkms:v12:QUJD", "ncpkms:v3:QUI=", "ncpkms:v3:QQ=="]) {
      expect(isWellFormedCiphertext(ok), ok).toBe(true);
    }
  });

  it("refuses everything else", () => {
    for (const bad of [
      "",
      "AAAA",
      "ncpkms:v1:",
      "ncpkms:v0:AAAA",
      "ncpkms:v01:AAAA",
      "ncpkms:1:AAAA",
      "ncpkms:v1:AAA",
      "ncpkms:v1:QR==",
      "ncpkms:v1:AA AA",
      "ncpkms:v1:AAAA\n",
      "ncpkms:v1:AA-_",
      "NCPKMS:v1:AAAA",
      "alice@example.com",
    ]) {
      expect(isWellFormedCiphertext(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isWellFormedCiphertext(42)).toBe(false);
  });

  it("checkCiphertexts names the positions, never the values", () => {
    try {
      checkCiphertexts("encrypt", 3, ["ncpkms:v1:AAAA", "secret-value", "ncpkms:v1:BBBB"]);
      throw new Error("expected a throw");
    } catch (error) {
      expect(error).toBeInstanceOf(KmsOutputInvalidError);
      expect(error).toMatchObject({ code: "KMS_OUTPUT_INVALID", action: "encrypt", indexes: [1] });
      expect((error as Error).message).not.toContain("secret-value");
    }
    expect(() => checkCiphertexts("re-encrypt", 2, ["ncpkms:v1:AAAA"])).toThrow(/expected 2 ciphertexts/);
  });
});

describe("envelopeProblemCode", () => {
  it("gives one code per problem, shared by the extension and migrate", () => {
    expect(envelopeProblemCode("wrong-column")).toBe("DECRYPTION_WRONG_COLUMN");
    expect(envelopeProblemCode("wrong-type")).toBe("DECRYPTION_WRONG_TYPE");
    expect(envelopeProblemCode("malformed")).toBe("DECRYPTION_MALFORMED");
  });
});
