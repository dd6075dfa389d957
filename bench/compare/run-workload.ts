/**
 * Runs one workload side by side: for each repetition, every variant in a
 * rotating order (so drift and cache warmth do not favour one), each on
 * freshly cleared tables. Reports medians.
 */
import type { Provider, TestDatabase } from "../../test/helpers/databases.js";
import { type BenchKms, QUOTA_TPS_PER_KEY } from "./kms-setup.js";
import { median, ratio, round1, timeMs, unionMs } from "./measure.js";
import type { BenchEntry, GoalResult } from "./report.js";
import type { VariantName, Variants } from "./variants.js";
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
}

async function runOnce(
  workload: Workload,
  variant: VariantName,
  ctx: { db: TestDatabase; variants: Variants; kms: BenchKms },
  rows: number,
): Promise<Sample> {
  const client = ctx.variants[variant];
  await clearTables(ctx.db);
  ctx.kms.reset();
  await workload.prepare?.(client, rows);
  if (workload.warmRun === true) workload.check(await workload.run(client, rows), rows);
  const prepared = ctx.kms.stats();
  ctx.kms.reset();
  const waitedBefore = ctx.kms.client.counters().waitMs;
  let result: unknown;
  const ms = await timeMs(async () => {
    result = await workload.run(client, rows);
  });
  const after = ctx.kms.stats();
  workload.check(result, rows);
  const throttled = prepared.throttled + after.throttled;
  if (variant !== "ours") return { ms, throttled };
  return {
    ms,
    throttled,
    kmsCalls: after.requests,
    kmsValues: after.values,
    kmsBusyMs: unionMs(ctx.kms.requestIntervals()),
    limiterWaitMs: ctx.kms.client.counters().waitMs - waitedBefore,
    quotaFloorMs: quotaFloorMs(after.byKey),
  };
}

export async function runWorkload(
  workload: Workload,
  ctx: { provider: Provider; db: TestDatabase; variants: Variants; kms: BenchKms },
  rows: number,
  repetitions: number,
): Promise<BenchEntry> {
  const samples: Record<VariantName, Sample[]> = { plain: [], ours: [], pfe: [] };
  for (let rep = 0; rep < repetitions; rep++) {
    const order = workload.variants.map((_, i) => workload.variants[(i + rep) % workload.variants.length]!);
    for (const variant of order) samples[variant].push(await runOnce(workload, variant, ctx, rows));
  }
  const med = (variant: VariantName): number | null =>
    workload.variants.includes(variant) ? round1(median(samples[variant].map((s) => s.ms))) : null;
  const oursMedian = (pick: (s: Sample) => number | undefined): number | null => {
    const values = samples.ours.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? null : median(values);
  };
  const ms = { plain: med("plain"), ours: med("ours"), pfe: med("pfe") };
  const ratios = { oursPlain: ratio(ms.ours, ms.plain), oursPfe: ratio(ms.ours, ms.pfe) };
  let goal: GoalResult | null = null;
  if (workload.goal) {
    const value = ratios[workload.goal.metric];
    goal = { text: workload.goal.text, value, met: value === null ? null : value <= workload.goal.max };
  }
  const busy = oursMedian((s) => s.kmsBusyMs);
  const waited = oursMedian((s) => s.limiterWaitMs);
  const floor = oursMedian((s) => s.quotaFloorMs);
  return {
    name: workload.title.replace("N", rows.toLocaleString("en-US")),
    id: workload.id,
    provider: ctx.provider,
    rows,
    repetitions,
    ms,
    samples: {
      plain: samples.plain.map((s) => round1(s.ms)),
      ours: samples.ours.map((s) => round1(s.ms)),
      pfe: samples.pfe.map((s) => round1(s.ms)),
    },
    kmsCalls: oursMedian((s) => s.kmsCalls),
    kmsValues: oursMedian((s) => s.kmsValues),
    throttled: [...samples.plain, ...samples.ours, ...samples.pfe].reduce((n, s) => n + s.throttled, 0),
    kmsBusyMs: busy === null ? null : round1(busy),
    limiterWaitMs: waited === null ? null : round1(waited),
    quotaFloorMs: floor === null ? null : round1(floor),
    ratios,
    goal,
    ...(workload.note === undefined ? {} : { note: workload.note }),
  };
}

/**
 * One untimed pass per variant at a small size: connections, JIT, Prisma's
 * query caches. Returns the 429s it saw.
 */
export async function warmUp(
  workloads: readonly Workload[],
  ctx: { db: TestDatabase; variants: Variants; kms: BenchKms },
): Promise<number> {
  let throttled = 0;
  for (const workload of workloads) {
    for (const variant of workload.variants) {
      throttled += (await runOnce(workload, variant, ctx, 20)).throttled;
    }
  }
  return throttled;
}
