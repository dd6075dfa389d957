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

/**
 * Adds one page's rows to the tallies (one per field name). With `kms`,
 * decrypts every ciphertext to count the undecryptable ones; without
 * (a dry run: no KMS call at all), `undecryptable` stays 0.
 */
export async function tallyPage(
  kms: MigrateKms | null,
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
      if (kms === null) continue;
      const key = `${field.name}|${groupKey(field)}`;
      const entry = toCheck.get(key) ?? { field, ciphertexts: [] };
      entry.ciphertexts.push(ciphertext);
      toCheck.set(key, entry);
    }
  }
  if (kms === null) return;
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

/**
 * A dry `rotate` (no KMS call, so no key's newest version is known): the
 * values it would re-encrypt, from the tallies. Per key, the newest version
 * is taken as the highest one found in the data of its fields, so this is a
 * lower bound (a rotation nothing was written with yet is not seen); with
 * `rotatesKeys` every ciphertext counts, as the rotation makes all stale.
 */
export function dryRotateCounts(
  fields: ReadonlyArray<{ field: FieldTarget; tally: StatusTally }>,
  rotatesKeys: boolean,
): { migrated: number; skipped: number } {
  const highest = new Map<string, number>();
  for (const { field, tally } of fields) {
    for (const version of Object.keys(tally.byVersion)) {
      const v = Number(version);
      if (Number.isInteger(v)) highest.set(field.keyTag, Math.max(highest.get(field.keyTag) ?? 0, v));
    }
  }
  let migrated = 0;
  let skipped = 0;
  for (const { field, tally } of fields) {
    let stale = 0;
    for (const [version, n] of Object.entries(tally.byVersion)) {
      const v = Number(version);
      // Like rotateWork: a ciphertext without a readable version goes to re-encrypt.
      if (rotatesKeys || !Number.isInteger(v) || v < (highest.get(field.keyTag) ?? 0)) stale += n;
    }
    migrated += stale;
    skipped += tally.rows - stale;
  }
  return { migrated, skipped };
}
