/**
 * `status` mode: per field, how many values are null, plaintext, on each key
 * version, and undecryptable (the KMS refuses them or the envelope belongs
 * to another column). Decrypts to check, writes nothing.
 */
import { ciphertextInColumn, ciphertextVersion, decodeEnvelope } from "../field-crypto/envelope.js";
import type { FieldTarget } from "./plan.js";
import type { Row } from "./prisma-access.js";
import type { MigrateKms } from "./types.js";
import { groupKey } from "./value-work.js";

export interface StatusTally {
  rows: number;
  nulls: number;
  plaintext: number;
  byVersion: Record<string, number>;
  undecryptable: number;
}

export function emptyTally(): StatusTally {
  return { rows: 0, nulls: 0, plaintext: 0, byVersion: {}, undecryptable: 0 };
}

/** Adds one page's rows to the tallies (one per field name). */
export async function tallyPage(
  kms: MigrateKms,
  rows: readonly Row[],
  fields: readonly FieldTarget[],
  tallies: Map<string, StatusTally>,
): Promise<void> {
  const toCheck = new Map<string, { field: FieldTarget; ciphertexts: string[] }>();
  for (const field of fields) {
    const tally = tallies.get(field.name) ?? emptyTally();
    tallies.set(field.name, tally);
    for (const row of rows) {
      tally.rows++;
      const stored = row[field.name];
      if (stored === null || stored === undefined) {
        tally.nulls++;
        continue;
      }
      const ciphertext = ciphertextInColumn(field.type, stored);
      if (ciphertext === null) {
        tally.plaintext++;
        continue;
      }
      const version = String(ciphertextVersion(ciphertext) ?? "unknown");
      tally.byVersion[version] = (tally.byVersion[version] ?? 0) + 1;
      const key = `${field.name}|${groupKey(field)}`;
      const entry = toCheck.get(key) ?? { field, ciphertexts: [] };
      entry.ciphertexts.push(ciphertext);
      toCheck.set(key, entry);
    }
  }
  await Promise.all(
    [...toCheck.values()].map(async ({ field, ciphertexts }) => {
      const tally = tallies.get(field.name)!;
      try {
        const settled = await kms.decryptManySettled(field.keyTag, field.context, ciphertexts);
        for (const s of settled) {
          if (!s.ok || !decodeEnvelope(field.type, field.tag, s.value).ok) tally.undecryptable++;
        }
      } catch {
        tally.undecryptable += ciphertexts.length;
      }
    }),
  );
}
