/**
 * One KMS round for a page: the items that need work, grouped by (key,
 * context), each group sent through the client's batching in one call (the
 * client splits it into array requests under the size limit and isolates a
 * bad item, so one tampered value fails only itself).
 */

import { isNcpKmsError } from "../errors.js";
import { decodeSettled } from "../field-crypto/decode.js";
import { ciphertextForColumn } from "../field-crypto/envelope.js";
import { groupBy, groupId } from "../field-crypto/groups.js";
import { checkKeyUses, keyUsesOf } from "../field-crypto/key-check.js";
import { encryptChecked, reencryptSettledChecked } from "../field-crypto/kms-calls.js";
import type { Settled } from "../kms/types.js";
import type { FieldTarget, ModelTarget } from "./plan.js";
import type { Row } from "./prisma-access.js";
import type { MigrateKms, MigrateMode } from "./types.js";
import type { Work } from "./value-work.js";

export interface WorkItem {
  readonly row: Row;
  readonly field: FieldTarget;
  /** The value as read; the write is conditional on the column still holding it. */
  readonly stored: unknown;
  readonly work: Extract<Work, { kind: "ciphertext" | "plaintext" }>;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

export function errorCode(error: unknown): string {
  if (isNcpKmsError(error)) return error.code;
  return error instanceof Error ? error.name : "UNKNOWN";
}

function fromSettled<T>(settled: Settled<T>, map: (value: T) => Outcome): Outcome {
  return settled.ok ? map(settled.value) : { ok: false, code: errorCode(settled.error) };
}

async function runGroup(mode: MigrateMode, kms: MigrateKms, items: readonly WorkItem[]): Promise<Outcome[]> {
  const field = items[0]!.field;
  const { keyTag, context } = field;
  if (mode === "encrypt") {
    const envelopes = items.map((i) => (i.work.kind === "plaintext" ? i.work.envelope : new Uint8Array()));
    try {
      // Checked: a result that is not an ncpkms:v<N>:<base64> ciphertext is never written.
      const ciphertexts = await encryptChecked(kms, keyTag, context, envelopes);
      return ciphertexts.map((ct, n) => ({ ok: true, value: ciphertextForColumn(items[n]!.field.type, ct) }));
    } catch (error) {
      const code = errorCode(error);
      return items.map(() => ({ ok: false, code }));
    }
  }
  const ciphertexts = items.map((i) => (i.work.kind === "ciphertext" ? i.work.ciphertext : ""));
  if (mode === "rotate") {
    const settled = await reencryptSettledChecked(kms, keyTag, context, ciphertexts);
    return settled.map((s, n) =>
      fromSettled(s, (ct) => ({ ok: true, value: ciphertextForColumn(items[n]!.field.type, ct) })),
    );
  }
  const settled = await kms.decryptManySettled(keyTag, context, ciphertexts);
  return settled.map((s, n) => {
    const item = items[n]!;
    const decoded = decodeSettled(item.field.type, item.field.tag, s);
    if (!decoded.ok)
      return { ok: false, code: decoded.reason === "kms-refused" ? errorCode(decoded.cause) : decoded.code };
    // A Json null cannot be written back without the client's JsonNull sentinel; report it instead.
    if (decoded.value === null) return { ok: false, code: "JSON_NULL" };
    return { ok: true, value: decoded.value };
  });
}

/** Runs every group of the page concurrently; outcomes in item order. */
export async function kmsRound(
  mode: MigrateMode,
  kms: MigrateKms,
  items: readonly WorkItem[],
): Promise<Outcome[]> {
  const groups = groupBy(
    items.map((_, n) => n),
    (n) => groupId(items[n]!.field.keyTag, items[n]!.field.context),
  );
  const outcomes = new Array<Outcome>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      let results: Outcome[];
      try {
        results = await runGroup(
          mode,
          kms,
          indexes.map((n) => items[n]!),
        );
      } catch (error) {
        const code = errorCode(error);
        results = indexes.map(() => ({ ok: false, code }));
      }
      indexes.forEach((n, k) => {
        outcomes[n] = results[k]!;
      });
    }),
  );
  return outcomes;
}

/**
 * The extension's key checks, for every key the run uses, before any row is
 * read or written: searchable keys convergent, others usable without a
 * context, enabled and AES256 where the client can tell.
 *
 * @throws {EncryptionKeyCheckError} naming each key name, its `Model.field`s and what is wrong.
 */
export async function verifyTargetKeys(kms: MigrateKms, targets: readonly ModelTarget[]): Promise<void> {
  const fields = targets.flatMap((t) =>
    t.fields.map((f) => ({
      label: `${t.model}.${f.name}`,
      keyName: f.keyName,
      keyTag: f.keyTag,
      searchable: f.searchable,
      context: f.context,
    })),
  );
  await checkKeyUses(kms, keyUsesOf(fields));
}
