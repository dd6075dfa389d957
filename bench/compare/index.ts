/**
 * `runCompareBench`: the side-by-side table of `npm run bench` — plain
 * Prisma, this extension (emulator on loopback) and prisma-field-encryption,
 * on the same database, per provider. Writes `latest.json` and returns the
 * report; it never fails on time, only on a wrong result.
 */
import { createTestDatabase, unavailableReason } from "../../test/helpers/databases.js";
import { type CompareOptions, resolveConfig } from "./config.js";
import { QUOTA_TPS_PER_KEY, startBenchKms } from "./kms-setup.js";
import { runMigrationBench } from "./migration.js";
import { type BenchEntry, type BenchReport, loadAverage1m, machineInfo, writeReport } from "./report.js";
import { runWorkload, warmUp } from "./run-workload.js";
import { createVariants } from "./variants.js";
import { workloads } from "./workloads.js";

export type { CompareOptions } from "./config.js";
export type { BenchEntry, BenchReport } from "./report.js";
export { formatTable } from "./table.js";

export interface CompareResult {
  readonly report: BenchReport;
  /** Where `latest.json` was written. */
  readonly path: string;
}

export async function runCompareBench(options: CompareOptions = {}): Promise<CompareResult> {
  const config = resolveConfig(options);
  const selected = workloads.filter((w) => config.workloads === undefined || config.workloads.includes(w.id));
  const loadAtStart = loadAverage1m();
  const entries: BenchEntry[] = [];
  const unavailable: string[] = [];
  let warmUpThrottled = 0;
  for (const provider of config.providers) {
    const reason = await unavailableReason(provider);
    if (reason !== null) {
      unavailable.push(reason);
      config.log(`${provider}: not available (${reason})`);
      continue;
    }
    const db = await createTestDatabase(provider);
    try {
      for (const [i, latencyMs] of config.latenciesMs.entries()) {
        const kms = await startBenchKms(latencyMs);
        const at = `${provider} @${latencyMs} ms`;
        try {
          const ctx = { provider, latencyMs, db, kms, variants: await createVariants(db, kms) };
          config.log(`${at}: warming up`);
          warmUpThrottled += await warmUp(selected, ctx);
          for (const workload of selected) {
            const rows = config.rows(workload.size);
            config.log(`${at}: ${workload.id} (${rows} rows × ${config.repetitions} repetitions)`);
            const entry = await runWorkload(workload, ctx, rows, config.repetitions);
            entries.push(entry);
            config.log(
              `${at}: ${workload.id}: ms ${JSON.stringify(entry.ms)}, KMS calls ${entry.kmsCalls}, hit rate ${entry.cacheHitRate}`,
            );
          }
          if (config.migration && i === 0) {
            const rows = config.rows("migration");
            config.log(`${at}: migrate-rotate (${rows} rows)`);
            const entry = await runMigrationBench(ctx, rows);
            entries.push(entry);
            config.log(
              `${at}: migrate-rotate: ${entry.ms.ours} ms, ${entry.throughput?.valuesPerSecond} values/s`,
            );
          }
        } finally {
          await kms.close();
        }
      }
    } finally {
      await db.drop();
    }
  }
  const report: BenchReport = {
    date: new Date().toISOString(),
    ...machineInfo(),
    providers: config.providers,
    scale: config.scale,
    repetitions: config.repetitions,
    loadAverage: { start: loadAtStart, end: loadAverage1m() },
    emulator: {
      quotaTpsPerKey: QUOTA_TPS_PER_KEY,
      transport: "loopback HTTP",
      latenciesMs: config.latenciesMs,
    },
    entries,
    throttled: warmUpThrottled + entries.reduce((n, e) => n + e.throttled, 0),
    unavailable,
  };
  return { report, path: writeReport(config.outDir, report) };
}
