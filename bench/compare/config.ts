/**
 * Sizes and repetitions of the side-by-side benchmark. Full size is what the
 * issue asks for; `scale` shrinks every row count (the smoke test runs at
 * 0.01) so the harness can be exercised in seconds.
 */
import type { Provider } from "../../test/helpers/databases.js";

/** Options of `runCompareBench`. */
export interface CompareOptions {
  /** Multiplies every row count (at least 2 rows remain). Defaults to `1`. */
  scale?: number;
  /** Timed repetitions per workload and variant; the median is reported. Defaults to `5`. */
  repetitions?: number;
  /** Databases to run on, in order. Defaults to `["sqlite", "postgresql"]`. */
  providers?: readonly Provider[];
  /** Where `latest.json` is written. Defaults to `bench/results`. */
  outDir?: string;
  /** Run the 100,000-row rotation workload (at the first latency only). Defaults to `true`. */
  migration?: boolean;
  /**
   * KMS latencies to run the table at, in ms added by the emulator to every
   * request (`BENCH_KMS_LATENCY_MS`, comma-separated). Defaults to `[0, 10]`.
   */
  latenciesMs?: readonly number[];
  /** Only these workload ids (and `migrate-rotate`). Defaults to all. */
  workloads?: readonly string[];
  /** Progress lines (one per workload). Defaults to none. */
  log?: (line: string) => void;
}

/** Row counts at full size (scale 1). */
export const fullSizes = {
  createOneByOne: 1_000,
  createMany: 10_000,
  findMany: 1_000,
  findUniqueConcurrent: 1_000,
  plainModel: 1_000,
  /** Users; the read mix makes half as many reads. */
  readMix: 10_000,
  migration: 100_000,
} as const;

export type SizeName = keyof typeof fullSizes;

export interface ResolvedConfig {
  readonly scale: number;
  readonly repetitions: number;
  readonly providers: readonly Provider[];
  readonly outDir: string;
  readonly migration: boolean;
  readonly latenciesMs: readonly number[];
  readonly workloads: readonly string[] | undefined;
  readonly log: (line: string) => void;
  rows(name: SizeName): number;
}

export const defaultOutDir = new URL("../results/", import.meta.url).pathname;

export function resolveConfig(options: CompareOptions = {}): ResolvedConfig {
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new Error(`Expected \`scale\` in (0, 1], got ${scale}`);
  const repetitions = options.repetitions ?? 5;
  if (!Number.isInteger(repetitions) || repetitions < 1) {
    throw new Error(`Expected \`repetitions\` to be an integer from 1 and up, got ${repetitions}`);
  }
  const latenciesMs = options.latenciesMs ?? [0, 10];
  if (latenciesMs.length === 0 || latenciesMs.some((ms) => !(Number.isFinite(ms) && ms >= 0))) {
    throw new Error(`Expected \`latenciesMs\` to be ms of 0 and up, got ${JSON.stringify(latenciesMs)}`);
  }
  return {
    scale,
    latenciesMs,
    workloads: options.workloads,
    repetitions,
    providers: options.providers ?? ["sqlite", "postgresql"],
    outDir: options.outDir ?? defaultOutDir,
    migration: options.migration ?? true,
    log: options.log ?? (() => {}),
    rows: (name) => Math.max(2, Math.round(fullSizes[name] * scale)),
  };
}
