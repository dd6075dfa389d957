/**
 * Runs one workload side by side: for each repetition, every variant in a
 * rotating order (so drift and cache warmth do not favour one), each on
 * freshly cleared tables. Reports medians.
 */
import type { Provider, TestDatabase } from "../../test/helpers/databases.js";
import { type BenchKms, QUOTA_TPS_PER_KEY } from "./kms-setup.js";
import { median, ratio, round1, timeMs, unionMs } from "./measure.js";
import type { BenchEntry, GoalResult, OperationStats } from "./report.js";
import { isOurs, type VariantName, type Variants } from "./variants.js";
import type { Workload } from "./workloads.js";

/** Empties the tables the workloads write (and resets ids where cheap). */
export async function clearTables(db: TestDatabase): Promise<void> {
  if (db.provider === "postgresql") {
    await db.query(`TRUNCATE ${db.q("User")}, ${db.q("Plain")} RESTART IDENTITY CASCADE`);
    return;
  }
  await db.query(`DELETE FROM ${db.q("User")}`);
  await db.query(`DELETE FROM ${db.q("Plain")}`);
}

/**
 * The shortest time the per-key quota allows for these requests: the
 * busiest key's request count at QUOTA_TPS_PER_KEY (bursts aside).
 */
function quotaFloorMs(byKey: Readonly<Record<string, number>>): number {
  return (Math.max(0, ...Object.values(byKey)) / QUOTA_TPS_PER_KEY) * 1000;
}

interface Sample {
  ms: number;
  /** 429s during prepare and run. */
  throttled: number;
  kmsCalls?: number;
  kmsValues?: number;
  kmsBusyMs?: number;
  limiterWaitMs?: number;
  quotaFloorMs?: number;
  /** Share of cache lookups answered from memory in the timed run (`ours`). */
  cacheHitRate?: number;
  /** Bytes the cache held after the timed run (`ours`). */
  cacheBytes?: number;
  operations?: Readonly<Record<string, readonly number[]>>;
}

interface Context {
  db: TestDatabase;
  variants: Variants;
  kms: BenchKms;
}

function cacheLookups(variants: Variants): { hits: number; misses: number } {
  const s = variants.cache.stats();
  return { hits: s.hits.decrypt + s.hits.encrypt, misses: s.misses.decrypt + s.misses.encrypt };
}

async function runOnce(
  workload: Workload,
  variant: VariantName,
  ctx: Context,
  rows: number,
): Promise<Sample> {
  const client = ctx.variants[variant];
  await clearTables(ctx.db);
  ctx.kms.reset();
  await workload.prepare?.(client, rows);
  // Seeding through `ours` taught its cache every row: each run starts it empty, warmed only by `warmRun`,
  // unless the workload is about rows this process wrote.
  if (workload.keepCacheAfterPrepare !== true) ctx.variants.cache.clear();
  if (workload.warmRun === true && !workload.coldVariants?.includes(variant)) {
    workload.check(await workload.run(client, rows, "warm", variant), rows);
  }
  const prepared = ctx.kms.stats();
  ctx.kms.reset();
  const waitedBefore = ctx.kms.client.counters().waitMs;
  const lookupsBefore = cacheLookups(ctx.variants);
  let result: unknown;
  const ms = await timeMs(async () => {
    result = await workload.run(client, rows, "timed", variant);
  });
  const after = ctx.kms.stats();
  workload.check(result, rows);
  const throttled = prepared.throttled + after.throttled;
  const operations = workload.operations?.(result);
  const base = { ms, throttled, ...(operations === undefined ? {} : { operations }) };
  if (!isOurs(variant)) return base;
  const lookups = cacheLookups(ctx.variants);
  const hits = lookups.hits - lookupsBefore.hits;
  const total = hits + lookups.misses - lookupsBefore.misses;
  return {
    ...base,
    kmsCalls: after.requests,
    kmsValues: after.values,
    kmsBusyMs: unionMs(ctx.kms.requestIntervals()),
    limiterWaitMs: ctx.kms.client.counters().waitMs - waitedBefore,
    quotaFloorMs: quotaFloorMs(after.byKey),
    ...(variant === "ours"
      ? { cacheHitRate: total === 0 ? 0 : hits / total, cacheBytes: ctx.variants.cache.stats().bytes }
      : {}),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Per operation: count and total per run (median over runs), p50/p99 over every timed call. */
function operationStats(samples: readonly Sample[]): Record<string, OperationStats> | undefined {
  const withOps = samples.filter((s) => s.operations !== undefined);
  if (withOps.length === 0) return undefined;
  const out: Record<string, OperationStats> = {};
  for (const name of Object.keys(withOps[0]!.operations!)) {
    const pooled = withOps.flatMap((s) => [...(s.operations![name] ?? [])]).sort((a, b) => a - b);
    if (pooled.length === 0) continue;
    out[name] = {
      count: withOps[0]!.operations![name]!.length,
      totalMs: round1(median(withOps.map((s) => (s.operations![name] ?? []).reduce((a, b) => a + b, 0)))),
      p50Ms: Math.round(percentile(pooled, 50) * 1000) / 1000,
      p99Ms: Math.round(percentile(pooled, 99) * 1000) / 1000,
    };
  }
  return out;
}

/**
 * ours ÷ pfe. Where pfe runs only some of the operations (the read mix: no
 * lookups by encrypted email), over those operations only (sums of totals).
 */
function oursPfeRatio(
  ms: Readonly<Record<VariantName, number | null>>,
  operations: Partial<Record<VariantName, Record<string, OperationStats>>>,
): number | null {
  const ours = operations.ours;
  const pfe = operations.pfe;
  if (ours === undefined || pfe === undefined) return ratio(ms.ours, ms.pfe);
  const names = Object.keys(pfe).filter((name) => ours[name] !== undefined);
  const sum = (ops: Record<string, OperationStats>) => names.reduce((n, name) => n + ops[name]!.totalMs, 0);
  return ratio(sum(ours), sum(pfe));
}

export async function runWorkload(
  workload: Workload,
  ctx: Context & { provider: Provider; latencyMs: number },
  rows: number,
  repetitions: number,
): Promise<BenchEntry> {
  const samples: Record<VariantName, Sample[]> = { plain: [], ours: [], oursNoCache: [], pfe: [] };
  const repsFor = (variant: VariantName) => workload.repetitionsFor?.(variant, repetitions) ?? repetitions;
  for (let rep = 0; rep < repetitions; rep++) {
    const order = workload.variants.map((_, i) => workload.variants[(i + rep) % workload.variants.length]!);
    for (const variant of order) {
      if (rep < repsFor(variant)) samples[variant].push(await runOnce(workload, variant, ctx, rows));
    }
  }
  const med = (variant: VariantName): number | null =>
    workload.variants.includes(variant) ? round1(median(samples[variant].map((s) => s.ms))) : null;
  const pick = (variant: VariantName, get: (s: Sample) => number | undefined): number | null => {
    const values = samples[variant].map(get).filter((v): v is number => v !== undefined);
    return values.length === 0 ? null : median(values);
  };
  const ms = {
    plain: med("plain"),
    ours: med("ours"),
    oursNoCache: med("oursNoCache"),
    pfe: med("pfe"),
  };
  const operations: Partial<Record<VariantName, Record<string, OperationStats>>> = {};
  for (const variant of workload.variants) {
    const stats = operationStats(samples[variant]);
    if (stats !== undefined) operations[variant] = stats;
  }
  const ratios = {
    oursPlain: ratio(ms.ours, ms.plain),
    oursPfe: oursPfeRatio(ms, operations),
    oursNoCachePlain: ratio(ms.oursNoCache, ms.plain),
  };
  let goal: GoalResult | null = null;
  if (workload.goal) {
    const value = ratios[workload.goal.metric];
    goal = { text: workload.goal.text, value, met: value === null ? null : value <= workload.goal.max };
  }
  const busy = pick("ours", (s) => s.kmsBusyMs);
  const waited = pick("ours", (s) => s.limiterWaitMs);
  const floor = pick("ours", (s) => s.quotaFloorMs);
  const hitRate = pick("ours", (s) => s.cacheHitRate);
  const cacheBytes = pick("ours", (s) => s.cacheBytes);
  return {
    name: workload.title.replace("N", rows.toLocaleString("en-US")),
    id: workload.id,
    provider: ctx.provider,
    kmsLatencyMs: ctx.latencyMs,
    rows,
    repetitions,
    ms,
    samples: {
      plain: samples.plain.map((s) => round1(s.ms)),
      ours: samples.ours.map((s) => round1(s.ms)),
      oursNoCache: samples.oursNoCache.map((s) => round1(s.ms)),
      pfe: samples.pfe.map((s) => round1(s.ms)),
    },
    kmsCalls: pick("ours", (s) => s.kmsCalls),
    kmsValues: pick("ours", (s) => s.kmsValues),
    kmsCallsNoCache: pick("oursNoCache", (s) => s.kmsCalls),
    cacheHitRate: hitRate === null ? null : Math.round(hitRate * 1000) / 1000,
    cacheBytes,
    throttled: Object.values(samples)
      .flat()
      .reduce((n, s) => n + s.throttled, 0),
    kmsBusyMs: busy === null ? null : round1(busy),
    limiterWaitMs: waited === null ? null : round1(waited),
    quotaFloorMs: floor === null ? null : round1(floor),
    ratios,
    goal,
    ...(Object.keys(operations).length === 0 ? {} : { operations }),
    ...(workload.note === undefined ? {} : { note: workload.note }),
  };
}

/**
 * One untimed pass per variant at a small size: connections, JIT, Prisma's
 * query caches. Returns the 429s it saw.
 */
export async function warmUp(workloads: readonly Workload[], ctx: Context): Promise<number> {
  let throttled = 0;
  for (const workload of workloads) {
    for (const variant of workload.variants) {
      throttled += (await runOnce(workload, variant, ctx, 20)).throttled;
    }
  }
  return throttled;
}
