/**
 * Migration throughput: 100,000 rows × 2 encrypted fields (a searchable one
 * and a plain one) rotated with `runMigration` on SQLite and PostgreSQL,
 * against the emulator at NCP's API 2.0 quota (300 requests/s per key) with
 * the client's default limiter (270/s). Reports rows/s against the bound
 * `TPS × values per request`, KMS requests, 429s (goal 0) and peak RSS (goal
 * flat, ≤ 200 MB; the emulator runs in the same process, so this is an upper
 * bound for the migration alone). Prints a table; writes
 * `bench/results/migrate.json`. Never fails on time.
 *
 *   npx tsx bench/migrate.ts
 *   BENCH_MIGRATE_ROWS=20000 BENCH_PROVIDERS=sqlite npx tsx bench/migrate.ts
 */
import { mkdtempSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encryptionMap } from "../prisma/generated/sqlite/encryption/index.js";
import { startEmulator } from "../src/emulator/index.js";
import { bindingTag, encodeEnvelope, searchableContext } from "../src/extension/codec.js";
import { createKmsClient } from "../src/kms/index.js";
import { runMigration } from "../src/migrate/index.js";
import type { EncryptionMap } from "../src/schema/map.js";
import { createTestDatabase, type Provider } from "../test/helpers/databases.js";

interface MigrateBenchRow {
  provider: Provider;
  rows: number;
  values: number;
  seconds: number;
  rowsPerSecond: number;
  valuesPerSecond: number;
  kmsRequests: number;
  valuesPerRequest: number;
  tps: number;
  /** `tps × valuesPerRequest`: values/s the quota allows. */
  boundValuesPerSecond: number;
  throttled: number;
  failed: number;
  peakRssMb: number;
  rssBeforeMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function benchProvider(provider: Provider, rows: number): Promise<MigrateBenchRow> {
  const emulator = await startEmulator({ port: 0, tpsV2: 100_000 });
  const def = await emulator.createKey({ keyName: "bench-default" });
  const search = await emulator.createKey({ keyName: "bench-search", isConvergent: true });
  const auth = { type: "signature" as const, ...emulator.credentials };
  const seeder = createKmsClient({ endpoint: emulator.url, auth, tps: 50_000 });
  const db = await createTestDatabase(provider);
  try {
    // Seed: rows encrypted exactly as the extension writes them, on version 1.
    const app = db.client();
    const emailTag = bindingTag("User.email");
    const phoneTag = bindingTag("User.phone");
    const chunk = 5_000;
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const emails = Array.from({ length: n }, (_, i) =>
        encodeEnvelope("String", emailTag, `user${start + i}@example.com`),
      );
      const phones = Array.from({ length: n }, (_, i) =>
        encodeEnvelope("String", phoneTag, `+82-10-${start + i}`),
      );
      const [ce, cp] = await Promise.all([
        seeder.encryptMany(search.keyTag, searchableContext("User.email"), emails),
        seeder.encryptMany(def.keyTag, undefined, phones),
      ]);
      await app.user.createMany({ data: ce.map((email, i) => ({ email, phone: cp[i]! })) });
    }
    await seeder.close();
    await emulator.rotateKey(def.keyTag);
    await emulator.rotateKey(search.keyTag);

    // Measure: NCP's real quota, the client's defaults.
    emulator.setQuota({ tpsV2: 300 });
    emulator.resetStats();
    const kms = createKmsClient({ endpoint: emulator.url, auth });
    const tps = 270;
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const summary = await runMigration({
      prisma: db.client(),
      map: encryptionMap as unknown as EncryptionMap,
      kms,
      keys: { default: def.keyTag, searchable: search.keyTag },
      mode: "rotate",
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-bench-migrate-")),
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const counters = kms.counters();
    await kms.close();
    const seconds = summary.durationMs / 1000;
    const values = summary.migrated;
    const reencryptRequests = counters.requests - 2; // minus the two version probes
    const valuesPerRequest = reencryptRequests > 0 ? values / reencryptRequests : 0;
    return {
      provider,
      rows,
      values,
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond: Math.round(rows / seconds),
      valuesPerSecond: Math.round(values / seconds),
      kmsRequests: counters.requests,
      valuesPerRequest: Math.round(valuesPerRequest),
      tps,
      boundValuesPerSecond: Math.round(tps * valuesPerRequest),
      throttled: emulator.stats().throttled,
      failed: summary.failed,
      peakRssMb: mb(peak),
      rssBeforeMb: mb(rssBefore),
    };
  } finally {
    await db.drop();
    await emulator.close();
  }
}

function table(rows: readonly MigrateBenchRow[]): string {
  const head = [
    "provider",
    "rows",
    "s",
    "rows/s",
    "values/s",
    "bound values/s",
    "KMS req",
    "values/req",
    "429s",
    "failed",
    "RSS before→peak MB",
  ];
  const lines = rows.map((r) => [
    r.provider,
    String(r.rows),
    String(r.seconds),
    String(r.rowsPerSecond),
    String(r.valuesPerSecond),
    `${r.boundValuesPerSecond} (${r.tps}×${r.valuesPerRequest})`,
    String(r.kmsRequests),
    String(r.valuesPerRequest),
    String(r.throttled),
    String(r.failed),
    `${r.rssBeforeMb}→${r.peakRssMb}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [fmt(head), ...lines.map(fmt)].join("\n");
}

/** Runs the benchmark; returns (and writes) the figures. */
export async function runMigrateBench(): Promise<object> {
  const rows = Number(process.env.BENCH_MIGRATE_ROWS ?? 100_000);
  const providers = (process.env.BENCH_PROVIDERS ?? "sqlite,postgresql")
    .split(",")
    .map((p) => p.trim() as Provider);
  const results: MigrateBenchRow[] = [];
  for (const provider of providers) results.push(await benchProvider(provider, rows));
  const report = { benchmark: "migrate", date: new Date().toISOString(), node: process.version, results };
  const path = join(dirname(fileURLToPath(import.meta.url)), "results", "migrate.json");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(results)}\nwritten: ${path}\n`);
  return report;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runMigrateBench();
}
