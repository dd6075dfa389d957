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
    const kms = await startBenchKms();
    try {
      const ctx = { provider, db, kms, variants: await createVariants(db, kms) };
      config.log(`${provider}: warming up`);
      warmUpThrottled += await warmUp(workloads, ctx);
      for (const workload of workloads) {
        const rows = config.rows(workload.size);
        config.log(`${provider}: ${workload.id} (${rows} rows × ${config.repetitions} repetitions)`);
        const entry = await runWorkload(workload, ctx, rows, config.repetitions);
        entries.push(entry);
        config.log(
          `${provider}: ${workload.id}: ms ${JSON.stringify(entry.ms)}, KMS calls ${entry.kmsCalls}`,
        );
      }
      if (config.migration) {
        const rows = config.rows("migration");
        config.log(`${provider}: migrate-rotate (${rows} rows)`);
        const entry = await runMigrationBench(ctx, rows);
        entries.push(entry);
        config.log(
          `${provider}: migrate-rotate: ${entry.ms.ours} ms, ${entry.throughput?.valuesPerSecond} values/s`,
        );
      }
    } finally {
      await kms.close();
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
    emulator: { quotaTpsPerKey: QUOTA_TPS_PER_KEY, transport: "loopback HTTP" },
    entries,
    throttled: warmUpThrottled + entries.reduce((n, e) => n + e.throttled, 0),
    unavailable,
  };
  return { report, path: writeReport(config.outDir, report) };
}
