import { describe, expect, it } from "vitest";
import {
  bindingTag,
  ciphertextForColumn,
  ciphertextInColumn,
  ciphertextVersion,
  decodeEnvelope,
  encodeEnvelope,
  searchableContext,
} from "../../src/field-crypto/envelope.js";

const userEmail = bindingTag("User.email");

describe("envelope codec", () => {
  it.each([
    ["String", "héllo ✓"],
    ["String", ""],
    ["Json", { a: [1, "two", null], b: { c: true } }],
    ["Json", "just a string"],
    ["Json", 42],
    ["Bytes", new Uint8Array([0, 1, 2, 255])],
  ] as const)("round-trips a %s value", (type, value) => {
    const bytes = encodeEnvelope(type, userEmail, value);
    expect(decodeEnvelope(type, userEmail, bytes)).toEqual({ ok: true, value });
  });

  it("refuses an envelope bound to another column", () => {
    const bytes = encodeEnvelope("String", bindingTag("User.phone"), "x");
    expect(decodeEnvelope("String", userEmail, bytes)).toEqual({ ok: false, problem: "wrong-column" });
  });

  it("refuses an envelope of another type and garbage", () => {
    const bytes = encodeEnvelope("Json", userEmail, "x");
    expect(decodeEnvelope("String", userEmail, bytes)).toEqual({ ok: false, problem: "wrong-type" });
    expect(decodeEnvelope("String", userEmail, new Uint8Array([9, 9]))).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("derives a 32-byte context per column (NCP allows 50), different per column", () => {
    expect(searchableContext("User.email")).toHaveLength(32);
    expect(Buffer.from(searchableContext("User.email"))).not.toEqual(
      Buffer.from(searchableContext("Post.slug")),
    );
  });

  it("finds ciphertext in String, Json and Bytes columns and treats anything else as legacy plaintext", () => {
    const ct = "ncpkms:v3:abc";
    expect(ciphertextInColumn("String", ct)).toBe(ct);
    expect(ciphertextInColumn("Json", ct)).toBe(ct);
    expect(ciphertextInColumn("Bytes", ciphertextForColumn("Bytes", ct))).toBe(ct);
    expect(ciphertextInColumn("String", "alice@example.com")).toBeNull();
    expect(ciphertextInColumn("Json", { a: 1 })).toBeNull();
    expect(ciphertextInColumn("Bytes", new Uint8Array([1, 2, 3]))).toBeNull();
    expect(ciphertextVersion(ct)).toBe(3);
    expect(ciphertextVersion("plain")).toBeNull();
  });
});
