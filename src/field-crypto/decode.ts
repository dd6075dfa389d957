/**
 * One decrypted (or refused) value → the field's value, or why not: the
 * same reading for the extension's reads and migrate's `decrypt`.
 */
import type { EncryptionErrorCode } from "../errors.js";
import type { Settled } from "../kms/types.js";
import type { EncryptedFieldType } from "../schema/map.js";
import { decodeEnvelope, type EnvelopeProblem } from "./envelope.js";
import { envelopeProblemCode } from "./errors.js";

export type DecodeOutcome =
  | { readonly ok: true; readonly value: unknown }
  /** The KMS refused the ciphertext (tampered, wrong context, unknown version, outage). */
  | { readonly ok: false; readonly reason: "kms-refused"; readonly cause: Error }
  /** It decrypted, but the envelope is not this column's: `code` is the shared envelope code. */
  | { readonly ok: false; readonly reason: EnvelopeProblem; readonly code: EncryptionErrorCode };

/** Reads one settled decrypt result as a value of a column (`type`, binding `tag`). */
export function decodeSettled(
  type: EncryptedFieldType,
  tag: Uint8Array,
  settled: Settled<Uint8Array>,
): DecodeOutcome {
  if (!settled.ok) return { ok: false, reason: "kms-refused", cause: settled.error };
  const decoded = decodeEnvelope(type, tag, settled.value);
  if (decoded.ok) return decoded;
  return { ok: false, reason: decoded.problem, code: envelopeProblemCode(decoded.problem) };
}
