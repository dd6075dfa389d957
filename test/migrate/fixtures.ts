/**
 * Shared set-up for the migration tests: an emulator on port 0 with a
 * default key and a convergent "searchable" key, a real KMS client over
 * HTTP, and helpers to write rows exactly as the extension would (same
 * envelope, same key, context only for searchable columns) and to check them.
 */

import { expect } from "vitest";
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import {
  bindingTag,
  ciphertextInColumn,
  ciphertextVersion,
  decodeEnvelope,
  encodeEnvelope,
  searchableContext,
} from "../../src/field-crypto/envelope.js";
import { createKmsClient, type KmsClient } from "../../src/kms/index.js";
import type { MigrateKms } from "../../src/migrate/index.js";
import { bindingOf } from "../../src/migrate/plan.js";
import type { EncryptionMap } from "../../src/schema/map.js";
import type { TestDatabase } from "../helpers/databases.js";

export const map = encryptionMap as unknown as EncryptionMap;

/** Json values of every kind (object, string, number, boolean, array) for an encrypted Json column. */
export const sampleJsonValues: readonly unknown[] = [
  { a: 1, nested: { b: [1, 2, "x"] } },
  "just a string",
  42,
  true,
  ["é", null, 3.5],
];

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export interface KmsFixture {
  emulator: Emulator;
  kms: KmsClient;
  keys: { default: string; searchable: string };
  close(): Promise<void>;
}

export async function startKms(options: { tpsV2?: number; clientTps?: number } = {}): Promise<KmsFixture> {
  const emulator = await startEmulator({ port: 0, tpsV2: options.tpsV2 ?? 1000 });
  const def = await emulator.createKey({ keyName: "default-key" });
  const searchable = await emulator.createKey({ keyName: "search-key", isConvergent: true });
  const kms = createKmsClient({
    endpoint: emulator.url,
    auth: {
      type: "signature",
      accessKey: emulator.credentials.accessKey,
      secretKey: emulator.credentials.secretKey,
    },
    tps: options.clientTps ?? 900,
    retry: { minDelayMs: 5, maxDelayMs: 50 },
  });
  return {
    emulator,
    kms,
    keys: { default: def.keyTag, searchable: searchable.keyTag },
    async close() {
      await kms.close();
      await emulator.close();
    },
  };
}

function fieldInfo(model: string, field: string) {
  const info = map.models[model]?.encrypted[field];
  if (info === undefined) throw new Error(`${model}.${field} is not encrypted`);
  const binding = bindingOf(model, info);
  return {
    info,
    tag: bindingTag(binding),
    context: info.searchable ? searchableContext(binding) : undefined,
  };
}

/** Encrypts values for a column as the extension would; returns what the column holds. */
export async function encryptForColumn(
  fx: KmsFixture,
  model: string,
  field: string,
  values: readonly unknown[],
): Promise<unknown[]> {
  const { info, tag, context } = fieldInfo(model, field);
  const keyTag = fx.keys[info.key as "default" | "searchable"];
  const cts = await fx.kms.encryptMany(
    keyTag,
    context,
    values.map((v) => encodeEnvelope(info.type, tag, v)),
  );
  return cts.map((ct) => (info.type === "Bytes" ? new Uint8Array(Buffer.from(ct, "latin1")) : ct));
}

/** Decrypts what a column holds back into field values (throws on any failure). */
export async function decryptColumn(
  fx: KmsFixture,
  model: string,
  field: string,
  stored: readonly unknown[],
): Promise<unknown[]> {
  const { info, tag, context } = fieldInfo(model, field);
  const keyTag = fx.keys[info.key as "default" | "searchable"];
  const cts = stored.map((s) => {
    const ct = ciphertextInColumn(info.type, s);
    if (ct === null) throw new Error(`${model}.${field} holds no ciphertext`);
    return ct;
  });
  const plain = await fx.kms.decryptMany(keyTag, context, cts);
  return plain.map((bytes) => {
    const decoded = decodeEnvelope(info.type, tag, bytes);
    if (!decoded.ok) throw new Error(`envelope ${decoded.problem}`);
    return decoded.value;
  });
}

/** Key version per stored value (`null` for plaintext/null). */
export function versions(model: string, field: string, stored: readonly unknown[]): Array<number | null> {
  const { info } = fieldInfo(model, field);
  return stored.map((s) => {
    const ct = ciphertextInColumn(info.type, s);
    return ct === null ? null : ciphertextVersion(ct);
  });
}

/** Users' stored email and phone, as the migration tests read them back. */
export type StoredUser = { email: unknown; phone: unknown };

/**
 * Asserts that every stored email and phone is on key version `version` and,
 * when `originals` is given, decrypts to those plaintexts in the same order.
 */
export async function expectUsersOnVersion(
  fx: KmsFixture,
  rows: readonly StoredUser[],
  version: number,
  originals?: { emails: readonly string[]; phones: readonly string[] },
): Promise<void> {
  for (const field of ["email", "phone"] as const) {
    const stored = rows.map((r) => r[field]);
    expect(new Set(versions("User", field, stored)), `User.${field} versions`).toEqual(new Set([version]));
    if (originals !== undefined) {
      const expected = field === "email" ? originals.emails : originals.phones;
      expect(await decryptColumn(fx, "User", field, stored), `User.${field} plaintexts`).toEqual(expected);
    }
  }
}

/**
 * Inserts one user per email/phone pair, both columns holding ciphertext
 * written as the extension would, then rotates both keys: every row is stale.
 */
export async function seedStaleUsers(
  db: Pick<TestDatabase, "client">,
  fx: KmsFixture,
  emails: readonly string[],
  phones: readonly string[],
): Promise<void> {
  const ce = await encryptForColumn(fx, "User", "email", emails);
  const cp = await encryptForColumn(fx, "User", "phone", phones);
  await db
    .client()
    .user.createMany({ data: emails.map((_, i) => ({ email: ce[i] as string, phone: cp[i] as string })) });
  await fx.emulator.rotateKey(fx.keys.default);
  await fx.emulator.rotateKey(fx.keys.searchable);
}

/** The real client, with a hook that runs before the first re-encryption under `keyTag`. */
export function hookedKms(fx: KmsFixture, keyTag: string, before: () => Promise<void>): MigrateKms {
  let fired = false;
  const k = fx.kms;
  return {
    encryptMany: (t, c, p) => k.encryptMany(t, c, p),
    decryptMany: (t, c, x) => k.decryptMany(t, c, x),
    reencryptMany: (t, c, x) => k.reencryptMany(t, c, x),
    decryptManySettled: (t, c, x) => k.decryptManySettled(t, c, x),
    async reencryptManySettled(t, c, x) {
      if (t === keyTag && !fired) {
        fired = true;
        await before();
      }
      return k.reencryptManySettled(t, c, x);
    },
    counters: () => k.counters(),
  };
}
