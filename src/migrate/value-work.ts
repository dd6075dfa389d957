/**
 * Per value, per mode: does it need work, and what goes to the KMS? Pure
 * functions over a stored column value; the page worker batches the results.
 */
import { ciphertextInColumn, ciphertextVersion, encodeEnvelope } from "../field-crypto/envelope.js";
import { groupId } from "../field-crypto/groups.js";
import type { FieldTarget } from "./plan.js";

export type Work =
  | { kind: "skip" }
  /** Send a ciphertext to `re-encrypt` (rotate) or `decrypt` (decrypt). */
  | { kind: "ciphertext"; ciphertext: string }
  /** Send an envelope to `encrypt` (encrypt). */
  | { kind: "plaintext"; envelope: Uint8Array }
  /** Cannot be prepared (e.g. a value of the wrong type); reported with this code. */
  | { kind: "invalid"; code: string };

/** What `rotate` does with a stored value, given the key's newest version. */
export function rotateWork(field: FieldTarget, stored: unknown, newestVersion: number): Work {
  if (stored === null || stored === undefined) return { kind: "skip" };
  const ciphertext = ciphertextInColumn(field.type, stored);
  if (ciphertext === null) return { kind: "skip" }; // plaintext: `migrate encrypt` handles it
  const version = ciphertextVersion(ciphertext);
  // A version newer than the probe means the key rotated meanwhile and the app wrote it: current.
  if (version !== null && version >= newestVersion) return { kind: "skip" };
  return { kind: "ciphertext", ciphertext };
}

/** What `encrypt` does: plaintext values become envelopes; ciphertexts are left alone. */
export function encryptWork(field: FieldTarget, stored: unknown): Work {
  if (stored === null || stored === undefined) return { kind: "skip" };
  if (ciphertextInColumn(field.type, stored) !== null) return { kind: "skip" };
  try {
    return { kind: "plaintext", envelope: encodeEnvelope(field.type, field.tag, stored) };
  } catch {
    return { kind: "invalid", code: "VALUE_NOT_ENCODABLE" };
  }
}

/** What `decrypt` does: ciphertexts go back to plaintext; plaintext is left alone. */
export function decryptWork(field: FieldTarget, stored: unknown): Work {
  if (stored === null || stored === undefined) return { kind: "skip" };
  const ciphertext = ciphertextInColumn(field.type, stored);
  return ciphertext === null ? { kind: "skip" } : { kind: "ciphertext", ciphertext };
}

/** The `where` condition "column still holds exactly `stored`" for a field of this type. */
export function stillHolds(field: FieldTarget, stored: unknown): Record<string, unknown> {
  // Json filters need `equals`; a bare value would be read as a filter object.
  return { [field.name]: field.type === "Json" ? { equals: stored } : stored };
}

/** Groups items by (key tag, context) so each group is one batched KMS round. */
export function groupKey(field: FieldTarget): string {
  return groupId(field.keyTag, field.context);
}
