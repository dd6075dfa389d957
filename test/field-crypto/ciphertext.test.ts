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

  it("agrees with decode-and-re-encode on every payload of 4 and 8 characters from an alphabet with padding", () => {
    // The reference: the payload is padded base64 that decodes and re-encodes to itself.
    const reference = (payload: string) =>
      /^[A-Za-z0-9+/]+={0,2}$/.test(payload) &&
      payload.length % 4 === 0 &&
      Buffer.from(payload, "base64").toString("base64") === payload;
    const alphabet = ["A", "B", "P", "Q", "g", "w", "/", "=", "-"];
    const payloads: string[] = [];
    const grow = (prefix: string, n: number) => {
      if (n === 0) payloads.push(prefix);
      else for (const c of alphabet) grow(prefix + c, n - 1);
    };
    for (const n of [1, 2, 3, 4, 5]) grow("", n);
    for (const tail of [...payloads.filter((p) => p.length === 4)]) payloads.push(`QUJD${tail}`);
    let accepted = 0;
    for (const payload of payloads) {
      const value = `ncpkms:v7:${payload}`;
      expect(isWellFormedCiphertext(value), value).toBe(reference(payload));
      if (reference(payload)) accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
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
