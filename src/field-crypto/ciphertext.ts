/**
 * What a KMS ciphertext must look like before it is written anywhere:
 * `ncpkms:v<N>:` (N ≥ 1) followed by non-empty, canonical, padded base64.
 * Anything else (a missing prefix, an echoed plaintext, broken base64) is
 * refused, so a bad KMS reply can never end up in a column.
 */
import { KmsOutputInvalidError } from "./errors.js";

const shape =
  /^ncpkms:v[1-9][0-9]*:((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4}))$/;

/** Whether `value` is a well-formed `ncpkms:v<N>:<base64>` ciphertext. */
export function isWellFormedCiphertext(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const match = shape.exec(value);
  if (match === null) return false;
  const payload = match[1] as string;
  // Canonical: the unused bits of the last character are zero (decodes and re-encodes to itself).
  return Buffer.from(payload, "base64").toString("base64") === payload;
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
