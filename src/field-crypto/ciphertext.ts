/**
 * What a KMS ciphertext must look like before it is written anywhere:
 * `ncpkms:v<N>:` (N ≥ 1) followed by non-empty, canonical, padded base64.
 * Anything else (a missing prefix, an echoed plaintext, broken base64) is
 * refused, so a bad KMS reply can never end up in a column.
 */
import { KmsOutputInvalidError } from "./errors.js";

// Padding only at the end; the length and the last character are checked below (faster than one
// regex of base64 quads, which this runs on every encrypt result, cached ones included).
const shape = /^ncpkms:v[1-9][0-9]*:[A-Za-z0-9+/]+={0,2}$/;
const prefixEnd = (value: string) => value.indexOf(":", 8) + 1;
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Whether `value` is a well-formed `ncpkms:v<N>:<base64>` ciphertext. */
export function isWellFormedCiphertext(value: unknown): value is string {
  if (typeof value !== "string" || !shape.test(value)) return false;
  const start = prefixEnd(value);
  const length = value.length - start;
  if (length % 4 !== 0) return false;
  // Canonical: the unused bits of the last character before the padding are zero
  // (the payload decodes and re-encodes to itself).
  if (value.endsWith("==")) return (BASE64.indexOf(value.charAt(value.length - 3)) & 0x0f) === 0;
  if (value.endsWith("=")) return (BASE64.indexOf(value.charAt(value.length - 2)) & 0x03) === 0;
  return true;
}

/**
 * Checks a KMS encrypt / re-encrypt result array: same length as the
 * request, every item a well-formed ciphertext.
 *
 * @throws {KmsOutputInvalidError} naming the action and the bad positions (never the values).
 */
export function checkCiphertexts(
  action: "encrypt" | "re-encrypt",
  expectedLength: number,
  ciphertexts: readonly unknown[],
): asserts ciphertexts is readonly string[] {
  if (!Array.isArray(ciphertexts) || ciphertexts.length !== expectedLength) {
    throw new KmsOutputInvalidError(
      action,
      [],
      `expected ${expectedLength} ciphertexts, got ${Array.isArray(ciphertexts) ? ciphertexts.length : "none"}`,
    );
  }
  const bad: number[] = [];
  ciphertexts.forEach((c, i) => {
    if (!isWellFormedCiphertext(c)) bad.push(i);
  });
  if (bad.length > 0) throw new KmsOutputInvalidError(action, bad, "not an ncpkms:v<N>:<base64> ciphertext");
}
