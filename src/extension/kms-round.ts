/**
 * The KMS round between the two walk phases: slots grouped by (key, context)
 * so each group is one `encryptMany` / `decryptManySettled` call (the KMS
 * client chunks and coalesces across concurrent queries), then filled.
 */

import { decodeSettled } from "../field-crypto/decode.js";
import { ciphertextForColumn, decodeEnvelope } from "../field-crypto/envelope.js";
import { groupBy as groupByKeyAndContext } from "../field-crypto/groups.js";
import { EncryptionKeyCheckError, type KeyChecker } from "../field-crypto/key-check.js";
import { encryptChecked } from "../field-crypto/kms-calls.js";
import type { KmsCrypto, Settled } from "../kms/types.js";
import type { FieldCrypto } from "./compiled-map.js";
import {
  DecryptionFailedError,
  DecryptionWrongColumnError,
  EncryptionFailedError,
  PlaintextNotAllowedError,
} from "./errors.js";
import { UndecryptableValue } from "./undecryptable.js";
import type { DecryptSlot, PlaintextSlot } from "./walk/result.js";
import type { EncryptSlot } from "./walk/values.js";

function groupBy<T extends { readonly field: FieldCrypto }>(slots: readonly T[]): Map<string, T[]> {
  return groupByKeyAndContext(slots, (slot) => slot.field.groupId);
}

/**
 * Envelopes this query just encrypted, by column and ciphertext: a write's
 * result holds exactly those ciphertexts, and needs no KMS call to read back.
 */
export type KnownCiphertexts = Map<string, Uint8Array>;

const knownKey = (field: FieldCrypto, ciphertext: string) => `${field.label}\u0000${ciphertext}`;

/**
 * Encrypts every slot and fills it with the column value. Throws
 * `EncryptionKeyCheckError` when a key fails its check (run once per key,
 * before its first encryption), `EncryptionFailedError` (naming the fields,
 * not the values) if any call fails.
 * Records each (column, ciphertext) → envelope in `known`.
 */
export async function encryptSlots(
  kms: KmsCrypto,
  slots: readonly EncryptSlot[],
  keyChecker: KeyChecker | undefined,
  known?: KnownCiphertexts,
): Promise<void> {
  const groups = [...groupBy(slots).values()];
  // Every key is checked (once) before anything is encrypted: a wrong key fails the whole query.
  const checks = groups.map((group) => checkKey(keyChecker, group)).filter((c) => c !== undefined);
  if (checks.length > 0) await Promise.all(checks);
  await eachGroup(groups, async (group) => {
    const first = (group[0] as EncryptSlot).field;
    // Convergent groups: equal plaintexts give equal ciphertexts, so send each once.
    const unique = first.searchable ? dedupe(group) : undefined;
    const plaintexts = unique === undefined ? group.map((s) => s.plaintext) : unique.plaintexts;
    let ciphertexts: string[];
    try {
      // Checked: a result that is not an ncpkms:v<N>:<base64> ciphertext is never written.
      ciphertexts = await encryptChecked(kms, first.keyTag, first.context, plaintexts);
    } catch (error) {
      throw new EncryptionFailedError([...new Set(group.map((s) => s.field.label))], error);
    }
    group.forEach((slot, i) => {
      const ciphertext = ciphertexts[unique === undefined ? i : (unique.index[i] as number)] as string;
      slot.fill(ciphertextForColumn(slot.field.type, ciphertext));
      known?.set(knownKey(slot.field, ciphertext), slot.plaintext);
    });
  });
}

/** The key check of a group's key: `undefined` once it has passed (the common case costs no await). */
function checkKey(
  keyChecker: KeyChecker | undefined,
  group: readonly EncryptSlot[],
): Promise<void> | undefined {
  const first = (group[0] as EncryptSlot).field;
  let pending: Promise<void> | undefined;
  try {
    pending = keyChecker?.ensure(first.keyTag, first.searchable);
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending?.catch((error: unknown) => {
    if (error instanceof EncryptionKeyCheckError) throw error;
    throw new EncryptionFailedError([...new Set(group.map((s) => s.field.label))], error);
  });
}

/** Runs `fn` on every group at once; one group (most queries) needs no `Promise.all`. */
function eachGroup<T>(groups: readonly T[], fn: (group: T) => Promise<void>): Promise<unknown> {
  if (groups.length === 1) return fn(groups[0] as T);
  return Promise.all(groups.map(fn));
}

function dedupe(group: readonly EncryptSlot[]): { plaintexts: Uint8Array[]; index: number[] } {
  const seen = new Map<string, number>();
  const plaintexts: Uint8Array[] = [];
  const index = group.map((slot) => {
    const key = Buffer.from(
      slot.plaintext.buffer,
      slot.plaintext.byteOffset,
      slot.plaintext.byteLength,
    ).toString("latin1");
    let at = seen.get(key);
    if (at === undefined) {
      at = plaintexts.push(slot.plaintext) - 1;
      seen.set(key, at);
    }
    return at;
  });
  return { plaintexts, index };
}

export interface DecryptPolicy {
  readonly onDecryptError: "throw" | "marker";
}

/**
 * Decrypts every slot and fills it with the field's value. A value that
 * fails throws a typed error naming `Model.field` and the row id, or, with
 * `onDecryptError: "marker"`, becomes an `UndecryptableValue`. Legacy
 * plaintext cells (collected only when `allowPlaintextReads` is `false`) are
 * refused the same way.
 */
export async function decryptSlots(
  kms: KmsCrypto,
  slots: readonly DecryptSlot[],
  plaintextCells: readonly PlaintextSlot[],
  policy: DecryptPolicy,
  known?: KnownCiphertexts,
): Promise<void> {
  for (const cell of plaintextCells) {
    const { model, name } = cell.field;
    if (policy.onDecryptError === "throw") throw new PlaintextNotAllowedError(model, name, cell.rowId);
    cell.fill(new UndecryptableValue(model, name, cell.rowId, "PLAINTEXT_NOT_ALLOWED", undefined));
  }
  const failures: DecryptionFailedError[] = [];
  const remote =
    known === undefined || known.size === 0 ? slots : slots.filter((slot) => !fillKnown(slot, known));
  if (remote.length === 0) return;
  await eachGroup([...groupBy(remote).values()], async (group) => {
    const first = (group[0] as DecryptSlot).field;
    let results: Array<Settled<Uint8Array>>;
    try {
      results = await kms.decryptManySettled(
        first.keyTag,
        first.context,
        group.map((s) => s.ciphertext),
      );
      if (results.length !== group.length) throw new Error("KMS returned a different number of plaintexts");
    } catch (error) {
      const failed = {
        ok: false as const,
        error: error instanceof Error ? error : new Error(String(error)),
      };
      results = group.map(() => failed);
    }
    group.forEach((slot, i) => {
      const outcome = decodeOutcome(slot, results[i] as Settled<Uint8Array>);
      if (outcome.ok) slot.fill(outcome.value);
      else if (policy.onDecryptError === "marker") slot.fill(marker(slot, outcome.error));
      else failures.push(outcome.error);
    });
  });
  if (failures.length > 0) throw failures[0];
}

/** Fills a slot whose ciphertext this query wrote, from the envelope it encrypted. */
function fillKnown(slot: DecryptSlot, known: KnownCiphertexts): boolean {
  const envelope = known.get(knownKey(slot.field, slot.ciphertext));
  if (envelope === undefined) return false;
  const decoded = decodeEnvelope(slot.field.type, slot.field.tag, envelope);
  if (!decoded.ok) return false;
  slot.fill(decoded.value);
  return true;
}

function decodeOutcome(
  slot: DecryptSlot,
  settled: Settled<Uint8Array>,
): { ok: true; value: unknown } | { ok: false; error: DecryptionFailedError } {
  const { field, rowId } = slot;
  const outcome = decodeSettled(field.type, field.tag, settled);
  if (outcome.ok) return outcome;
  if (outcome.reason === "kms-refused") {
    return {
      ok: false,
      error: new DecryptionFailedError(field.model, field.name, rowId, "the KMS refused the ciphertext", {
        cause: outcome.cause,
      }),
    };
  }
  if (outcome.reason === "wrong-column") {
    return { ok: false, error: new DecryptionWrongColumnError(field.model, field.name, rowId) };
  }
  const reason =
    outcome.reason === "wrong-type"
      ? "the decrypted value was written for another field type"
      : "the decrypted envelope is malformed";
  return {
    ok: false,
    error: new DecryptionFailedError(field.model, field.name, rowId, reason, { code: outcome.code }),
  };
}

function marker(slot: DecryptSlot, error: DecryptionFailedError): UndecryptableValue {
  return new UndecryptableValue(slot.field.model, slot.field.name, slot.rowId, error.code, slot.ciphertext);
}
