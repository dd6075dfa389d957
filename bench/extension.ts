/**
 * Cost of the extension against plain Prisma on the same database, emulator
 * on loopback. Median of several repetitions; figures, not pass/fail.
 * Prints a table and writes `bench/results/extension.json`.
 *
 *   npx tsx bench/extension.ts [--providers sqlite,postgresql] [--reps 5]
 *
 * Goals (issue 5): a model with no encrypted field ≤ 1.05× plain; 1,000
 * creates one by one ≤ 1.5× plain. findMany/createMany are compared with
 * prisma-field-encryption elsewhere (bench/compare); here against plain.
 * The KMS-bound cases run with `cache: false` (every value to the KMS);
 * issue 12's walk-cost cases compare `findUnique` by id with every value
 * answered from memory (the cache, or an in-process KMS stand-in) against
 * plain and a do-nothing hook, in µs per call.
 */

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { ncpKmsEncryption } from "../src/extension/index.js";
import type { KmsCrypto, Settled } from "../src/kms/types.js";
import { extend, map, startKms } from "../test/extension/setup.js";
import { createTestDatabase, type Provider } from "../test/helpers/databases.js";

/**
 * An in-process AES-256-GCM stand-in for the KMS (no network), to separate
 * the extension's own cost (walks, envelopes, copies) from the KMS round trip.
 * Like an NCP convergent key, a call with a context gets a synthetic IV
 * (HMAC of context and plaintext), so the extension's key check accepts it
 * for searchable fields; without a context the IV is random.
 */
function inProcessKms(): KmsCrypto {
  const key = randomBytes(32);
  const encrypt = (plaintext: Uint8Array, context?: Uint8Array) => {
    const iv =
      context === undefined
        ? randomBytes(12)
        : createHmac("sha256", key).update(context).update(plaintext).digest().subarray(0, 12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `ncpkms:v1:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
  };
  const decrypt = (ciphertext: string): Uint8Array => {
    const raw = Buffer.from(ciphertext.slice("ncpkms:v1:".length), "base64");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  };
  const settle = <T>(fn: () => T): Settled<T> => {
    try {
      return { ok: true, value: fn() };
    } catch (error) {
      return { ok: false, error: error as Error };
    }
  };
  return {
    encryptMany: async (_k, context, plaintexts) => plaintexts.map((p) => encrypt(p, context)),
    decryptMany: async (_k, _c, ciphertexts) => ciphertexts.map(decrypt),
    reencryptMany: async (_k, _c, ciphertexts) => ciphertexts.map((c) => encrypt(decrypt(c))),
    decryptManySettled: async (_k, _c, ciphertexts) => ciphertexts.map((c) => settle(() => decrypt(c))),
    reencryptManySettled: async (_k, _c, ciphertexts) =>
      ciphertexts.map((c) => settle(() => encrypt(decrypt(c)))),
  };
}

/** findUnique calls per walk-cost case (1,000 distinct rows, each read twice). */
const WALK_CALLS = 2000;

export interface ExtensionBenchRow {
  provider: Provider;
  case: string;
  plainMs: number;
  extensionMs: number;
  ratio: number;
  /** (extension − plain) per call, in µs, for the per-call cases. */
  extraUsPerCall?: number;
  kmsRequests: number;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function medianOf(times: number[]): number {
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function benchProvider(provider: Provider, reps: number): Promise<ExtensionBenchRow[]> {
  const kms = await startKms();
  const db = await createTestDatabase(provider);
  const plain = db.client();
  const prisma = extend(db.client(), kms, { cache: false });
  const rows: ExtensionBenchRow[] = [];
  let tag = 0;
  const measure = async (
    name: string,
    repetitions: number,
    runPlain: (rep: number, tag: number) => Promise<void>,
    runExtension: (rep: number, tag: number) => Promise<void>,
  ) => {
    // Warm both paths (query plans, connections, KMS keep-alive) before timing.
    await runPlain(-1, ++tag);
    await runExtension(-1, ++tag);
    // Interleaved (plain, extension, plain, ...): load from other work on the machine hits both alike.
    const plainTimes: number[] = [];
    const extensionTimes: number[] = [];
    kms.emulator.resetStats();
    for (let rep = 0; rep < repetitions; rep++) {
      const stats = kms.stats().requests;
      plainTimes.push(await timed(() => runPlain(rep, ++tag)));
      if (kms.stats().requests !== stats) throw new Error("benchmark check failed: plain called the KMS");
      extensionTimes.push(await timed(() => runExtension(rep, ++tag)));
    }
    const plainMs = medianOf(plainTimes);
    const extensionMs = medianOf(extensionTimes);
    const kmsRequests = Math.round(kms.stats().requests / repetitions);
    const calls = name.startsWith("findUnique by id") ? WALK_CALLS : undefined;
    const row: ExtensionBenchRow = {
      provider,
      case: name,
      plainMs: round(plainMs),
      extensionMs: round(extensionMs),
      ratio: round(extensionMs / plainMs, 3),
      ...(calls === undefined ? {} : { extraUsPerCall: round(((extensionMs - plainMs) * 1000) / calls) }),
      kmsRequests,
    };
    rows.push(row);
    process.stderr.write(
      `[bench extension] ${provider} ${name}: ${row.plainMs} ms plain, ${row.extensionMs} ms extension\n`,
    );
  };
  try {
    // 1. A model with no encrypted field: the extension registers no hook on it.
    await plain.plain.createMany({
      data: Array.from({ length: 100 }, (_, i) => ({ label: `l${i}`, value: i })),
    });
    const plainIds = (await plain.plain.findMany({ select: { id: true } })).map((p) => p.id);
    const lookups = async (client: typeof plain) => {
      for (let i = 0; i < 2000; i++)
        await client.plain.findUnique({ where: { id: plainIds[i % plainIds.length] as number } });
    };
    await measure(
      "Plain model: 2,000 findUnique by id",
      reps,
      () => lookups(plain),
      () => lookups(prisma as unknown as typeof plain),
    );

    // 2. findMany 1,000 rows × 2 encrypted fields (same rows, plain reads the ciphertext).
    await prisma.user.createMany({
      data: Array.from({ length: 1000 }, (_, i) => ({ email: `read${i}@example.com`, phone: `+82-10-${i}` })),
    });
    const read = async (client: typeof plain) => {
      const users = await client.user.findMany({
        where: { name: null },
        take: 1000,
        select: { id: true, email: true, phone: true },
      });
      if (users.length !== 1000) throw new Error(`expected 1000 rows, got ${users.length}`);
    };
    await measure(
      "findMany 1,000 rows × 2 fields",
      reps,
      () => read(plain),
      () => read(prisma as unknown as typeof plain),
    );

    // 2b. The same read with an in-process KMS stand-in: the extension's own cost, KMS round trip excluded.
    const local = db
      .client()
      .$extends(ncpKmsEncryption({ map, kms: inProcessKms(), keys: kms.keys, cache: false }));
    await local.user.createMany({
      data: Array.from({ length: 1000 }, (_, i) => ({
        email: `local${i}@example.com`,
        phone: `+82-10-${i}`,
        name: "local",
      })),
    });
    const readLocal = async (client: typeof plain) => {
      const users = await client.user.findMany({
        where: { name: "local" },
        select: { id: true, email: true, phone: true },
      });
      if (users.length !== 1000) throw new Error(`expected 1000 rows, got ${users.length}`);
    };
    await measure(
      "findMany 1,000 × 2, in-process KMS stand-in",
      reps,
      () => readLocal(plain),
      () => readLocal(local as unknown as typeof plain),
    );

    // 2c. The walk's own cost (issue 12, item 6): findUnique by id, every value answered from memory.
    // Rows each client can decrypt: the stand-in's own ("local"), and the emulator's (name null).
    const idsWhere = async (name: string | null) =>
      (await plain.user.findMany({ where: { name }, select: { id: true } })).map((u) => u.id);
    const localIds = await idsWhere("local");
    const emulatorIds = await idsWhere(null);
    const cached = extend(db.client(), kms); // cache on (default): after the warm run, every decrypt is a hit
    const doNothing = db.client().$extends({
      query: { $allModels: { $allOperations: ({ args, query }) => query(args) } },
    });
    const findById = async (client: typeof plain, ids: readonly number[]) => {
      for (let i = 0; i < WALK_CALLS; i++) {
        const user = await client.user.findUnique({ where: { id: ids[i % ids.length] as number } });
        if (user === null) throw new Error("row missing");
      }
    };
    await measure(
      `findUnique by id × ${WALK_CALLS}, do-nothing hook`,
      reps,
      () => findById(plain, emulatorIds),
      () => findById(doNothing as unknown as typeof plain, emulatorIds),
    );
    await measure(
      `findUnique by id × ${WALK_CALLS}, in-process KMS stand-in, cache off`,
      reps,
      () => findById(plain, localIds),
      () => findById(local as unknown as typeof plain, localIds),
    );
    await measure(
      `findUnique by id × ${WALK_CALLS}, emulator, every value from the cache`,
      reps,
      () => findById(plain, emulatorIds),
      () => findById(cached as unknown as typeof plain, emulatorIds),
    );

    // 3. createMany 10,000 rows × 2 fields.
    const many = (t: number) =>
      Array.from({ length: 10_000 }, (_, i) => ({
        email: `m${t}-${i}@example.com`,
        phone: `+82-10-${i}`,
        name: "bulk",
      }));
    await measure(
      "createMany 10,000 rows × 2 fields",
      Math.max(1, Math.min(reps, 3)),
      async (_r, t) => void (await plain.user.createMany({ data: many(t) })),
      async (_r, t) => void (await prisma.user.createMany({ data: many(t) })),
    );

    // 4. 1,000 creates one by one, sequential (one KMS round trip each) and concurrent (coalesced).
    const sequential = (client: typeof plain) => async (_r: number, t: number) => {
      for (let i = 0; i < 1000; i++)
        await client.user.create({ data: { email: `s${t}-${i}@example.com`, phone: `${i}`, name: "one" } });
    };
    await measure(
      "1,000 creates one by one (sequential)",
      Math.max(1, Math.min(reps, 3)),
      sequential(plain),
      sequential(prisma as unknown as typeof plain),
    );
    const concurrent = (client: typeof plain) => async (_r: number, t: number) => {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          client.user.create({ data: { email: `c${t}-${i}@example.com`, phone: `${i}`, name: "one" } }),
        ),
      );
    };
    await measure(
      "1,000 creates one by one (concurrent)",
      Math.max(1, Math.min(reps, 3)),
      concurrent(plain),
      concurrent(prisma as unknown as typeof plain),
    );
  } finally {
    await db.drop();
    await kms.close();
  }
  return rows;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Runs the benchmark on each provider; returns (and writes) the figures. */
export async function runExtensionBench(
  options: { providers?: readonly Provider[]; reps?: number } = {},
): Promise<{ at: string; node: string; rows: ExtensionBenchRow[] }> {
  const rows: ExtensionBenchRow[] = [];
  for (const provider of options.providers ?? ["sqlite", "postgresql"]) {
    rows.push(...(await benchProvider(provider, options.reps ?? 5)));
  }
  const result = { at: new Date().toISOString(), node: process.version, rows };
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}extension.json`, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

function formatTable(rows: readonly ExtensionBenchRow[]): string {
  const header = ["provider", "case", "plain ms", "extension ms", "ratio", "extra µs/call", "KMS req/rep"];
  const body = rows.map((r) => [
    r.provider,
    r.case,
    String(r.plainMs),
    String(r.extensionMs),
    `${r.ratio}×`,
    r.extraUsPerCall === undefined ? "" : String(r.extraUsPerCall),
    String(r.kmsRequests),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  return [header, ...body]
    .map((cells) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  "))
    .join("\n");
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const providers = argument("--providers")
    ?.split(",")
    .map((p) => p.trim() as Provider);
  const reps = argument("--reps");
  runExtensionBench({ providers, reps: reps === undefined ? undefined : Number(reps) })
    .then((result) => {
      process.stdout.write(`${formatTable(result.rows)}\n\nwrote bench/results/extension.json\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    });
}
