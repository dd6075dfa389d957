/**
 * The shape of `bench/results/latest.json`: metadata, then one entry per
 * (provider, workload) with `name`, `ms` per variant (median), `kmsCalls`,
 * `throttled` and the ratios.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { Provider } from "../../test/helpers/databases.js";
import type { VariantName } from "./variants.js";

export interface GoalResult {
  readonly text: string;
  /** The measured value the goal is about (a ratio). */
  readonly value: number | null;
  /** `null` when the figure could not be measured. */
  readonly met: boolean | null;
}

/** Migration throughput against the KMS quota. */
export interface Throughput {
  /** (row, field) values re-encrypted per second. */
  readonly valuesPerSecond: number;
  /** Values carried by one re-encrypt request (measured). */
  readonly valuesPerRequest: number;
  readonly quotaTpsPerKey: number;
  /** quotaTpsPerKey × valuesPerRequest: the most the quota allows (one key in use at a time). */
  readonly quotaBound: number;
  /** valuesPerSecond ÷ quotaBound. */
  readonly ofBound: number;
}

/** One operation of a workload (read mix): calls per run, total per run (median), latency percentiles. */
export interface OperationStats {
  readonly count: number;
  readonly totalMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface BenchEntry {
  readonly name: string;
  readonly id: string;
  readonly provider: Provider;
  /** ms the emulator added to every KMS request in this entry's run. */
  readonly kmsLatencyMs: number;
  readonly rows: number;
  readonly repetitions: number;
  /** Median ms per variant; `null` where the variant does not apply. */
  readonly ms: Readonly<Record<VariantName, number | null>>;
  /** Every timed sample, in repetition order. */
  readonly samples: Readonly<Record<VariantName, readonly number[]>>;
  /** KMS HTTP requests during one timed `ours` run (median over repetitions). */
  readonly kmsCalls: number | null;
  /** Values those requests carried (median). */
  readonly kmsValues: number | null;
  /** KMS HTTP requests during one timed `oursNoCache` run (median), where it runs. */
  readonly kmsCallsNoCache: number | null;
  /** Share of the cache's lookups answered from memory in the timed `ours` run (median). */
  readonly cacheHitRate: number | null;
  /** Bytes the cache held at the end of the timed `ours` run (median; the cap is 16 MiB). */
  readonly cacheBytes: number | null;
  /** 429s the emulator sent during the whole workload (seeding included, all repetitions). */
  readonly throttled: number;
  /** Median ms during which at least one KMS request was in flight, in the timed `ours` run. */
  readonly kmsBusyMs: number | null;
  /**
   * Median ms the KMS client's requests spent waiting for its rate limiter
   * (summed over requests) in the timed `ours` run: > 0 means the quota paced it.
   */
  readonly limiterWaitMs: number | null;
  /**
   * The least time the quota allows for the timed `ours` run: requests on the
   * busiest key ÷ the per-key TPS quota. `ours` can never beat it.
   */
  readonly quotaFloorMs: number | null;
  readonly ratios: {
    readonly oursPlain: number | null;
    /** Where pfe runs only some operations (read mix), over those operations' totals. */
    readonly oursPfe: number | null;
    readonly oursNoCachePlain: number | null;
  };
  readonly goal: GoalResult | null;
  /** Per variant and operation, where the workload times its operations (read mix). */
  readonly operations?: Partial<Record<VariantName, Readonly<Record<string, OperationStats>>>>;
  readonly throughput?: Throughput;
  readonly note?: string;
}

export interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly providers: readonly Provider[];
  readonly scale: number;
  readonly repetitions: number;
  /** 1-minute load average at start and end: other work on the machine makes figures noisy. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly emulator: {
    readonly quotaTpsPerKey: number;
    readonly transport: "loopback HTTP";
    /** The latencies (ms added per request) the table ran at. */
    readonly latenciesMs: readonly number[];
  };
  readonly entries: readonly BenchEntry[];
  /** 429s over the whole run; the goal is 0. */
  readonly throttled: number;
  readonly unavailable: readonly string[];
}

export function machineInfo(): { node: string; cpu: string; cpus: number } {
  const list = cpus();
  return { node: process.version, cpu: list[0]?.model.trim() ?? "unknown", cpus: list.length };
}

export const loadAverage1m = (): number => Math.round(loadavg()[0]! * 100) / 100;

/** Writes `latest.json` into `dir`; returns its path. */
export function writeReport(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "latest.json");
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
