/**
 * Shared set-up for the extension's integration tests: one emulator per test
 * file (a normal AES256 key for `default` and `archive`, a convergent one for
 * `searchable`), a KMS client over real HTTP, and a fresh database per
 * provider with a plain and an extended Prisma client.
 */

import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
import { type EmulatorStats, type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { type NcpKmsEncryptionOptions, ncpKmsEncryption } from "../../src/extension/index.js";
import { createKmsClient, type KmsClient } from "../../src/kms/index.js";
import type { EncryptionMap } from "../../src/schema/map.js";
import {
  createTestDatabase,
  type Provider,
  type TestDatabase,
  type TestPrismaClient,
} from "../helpers/databases.js";

export const map: EncryptionMap = encryptionMap;

export interface Kms {
  emulator: RunningEmulator;
  client: KmsClient;
  keys: { default: string; searchable: string; archive: string };
  stats(): EmulatorStats;
  close(): Promise<void>;
}

/** Starts an emulator with the three keys and a KMS client on it. */
export async function startKms(): Promise<Kms> {
  const emulator = await startEmulator({ port: 0 });
  const [normal, convergent, archive] = await Promise.all([
    emulator.createKey({ keyName: "default", isConvergent: false }),
    emulator.createKey({ keyName: "searchable", isConvergent: true }),
    emulator.createKey({ keyName: "archive", isConvergent: false }),
  ]);
  const client = createKmsClient({
    endpoint: emulator.url,
    auth: {
      type: "signature",
      accessKey: emulator.credentials.accessKey,
      secretKey: emulator.credentials.secretKey,
    },
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
  });
  return {
    emulator,
    client,
    keys: { default: normal.keyTag, searchable: convergent.keyTag, archive: archive.keyTag },
    stats: () => emulator.stats(),
    async close() {
      await client.close();
      await emulator.close();
    },
  };
}

/** The extended client type the tests use. */
export function extend(client: TestPrismaClient, kms: Kms, options: Partial<NcpKmsEncryptionOptions> = {}) {
  return client.$extends(ncpKmsEncryption({ map, kms: kms.client, keys: kms.keys, ...options }));
}

export type ExtendedClient = ReturnType<typeof extend>;

export interface Fixture {
  db: TestDatabase;
  kms: Kms;
  /** Unextended client on the same database. */
  plain: TestPrismaClient;
  prisma: ExtendedClient;
  /** Raw column value through the driver, bypassing Prisma. */
  raw(table: string, column: string, idColumn: string, id: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function createFixture(provider: Provider, kms: Kms): Promise<Fixture> {
  const db = await createTestDatabase(provider);
  const plain = db.client();
  const prisma = extend(db.client(), kms);
  return {
    db,
    kms,
    plain,
    prisma,
    async raw(table, column, idColumn, id) {
      const rows = await db.query(
        `SELECT ${db.q(column)} AS v FROM ${db.q(table)} WHERE ${db.q(idColumn)} = ?`,
        [id],
      );
      return rows[0]?.v;
    },
    close: () => db.drop(),
  };
}

/** The raw value as text (Buffers and JSON columns included), for ciphertext checks. */
export function asText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

const ciphertextPattern = /^"?ncpkms:v\d+:[A-Za-z0-9+/=]+"?$/;

/**
 * Asserts a raw column value is KMS ciphertext and does not contain
 * `plaintext`, neither in the stored text nor in the decoded payload (which
 * is where a value that was only base64-encoded, not encrypted, would show).
 * A probe made only of base64 characters is checked in the payload alone: in
 * the text it would occur by chance (~1 in 2,700 values for "+82"). Probes
 * shorter than 4 bytes are refused: random payload bytes could hold them.
 */
export function expectCiphertext(raw: unknown, plaintext?: string): string {
  const text = asText(raw);
  if (!ciphertextPattern.test(text))
    throw new Error(`expected ciphertext in the column, got ${text.slice(0, 40)}`);
  if (plaintext === undefined || plaintext.length === 0) return text;
  if (Buffer.byteLength(plaintext) < 4) throw new Error("expectCiphertext: use a probe of at least 4 bytes");
  const payload = Buffer.from(text.replace(/^"?ncpkms:v\d+:/, "").replace(/"$/, ""), "base64");
  const base64Only = /^[A-Za-z0-9+/=]+$/.test(plaintext);
  if (payload.includes(Buffer.from(plaintext)) || (!base64Only && text.includes(plaintext))) {
    throw new Error("the column contains the plaintext");
  }
  return text;
}
