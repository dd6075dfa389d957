/**
 * Rotation migration (ours only): N users written through the extension
 * (email searchable, phone default key), both keys rotated, then
 * `runMigration({ mode: "rotate" })` moves every value to the new version.
 * Throughput is compared with the quota bound: the per-key TPS quota × the
 * values one re-encrypt request carries (the engine migrates one key at a
 * time: searchable fields first, then the others).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
import { runMigration } from "../../src/migrate/index.js";
import type { EncryptionMap } from "../../src/schema/map.js";
import type { Provider, TestDatabase } from "../../test/helpers/databases.js";
import { userInput } from "./data.js";
import { type BenchKms, QUOTA_TPS_PER_KEY } from "./kms-setup.js";
import { round1, timeMs, unionMs } from "./measure.js";
import type { BenchEntry } from "./report.js";
import { clearTables } from "./run-workload.js";
import type { Variants } from "./variants.js";

const SEED_CHUNK = 5_000;
const GOAL_OF_BOUND = 0.9;

async function seed(variants: Variants, rows: number): Promise<void> {
  for (let from = 0; from < rows; from += SEED_CHUNK) {
    const data = Array.from({ length: Math.min(SEED_CHUNK, rows - from) }, (_, i) => userInput(from + i));
    await variants.ours.user.createMany({ data });
  }
}

export async function runMigrationBench(
  ctx: { provider: Provider; latencyMs: number; db: TestDatabase; variants: Variants; kms: BenchKms },
  rows: number,
): Promise<BenchEntry> {
  await clearTables(ctx.db);
  ctx.kms.reset();
  await seed(ctx.variants, rows);
  await ctx.kms.emulator.rotateKey(ctx.kms.keys.default);
  await ctx.kms.emulator.rotateKey(ctx.kms.keys.searchable);
  const seeded = ctx.kms.stats();
  ctx.kms.reset();
  const waitedBefore = ctx.kms.client.counters().waitMs;
  const stateDir = mkdtempSync(join(tmpdir(), "pnk-bench-migrate-"));
  let summary: Awaited<ReturnType<typeof runMigration>> | undefined;
  try {
    const ms = await timeMs(async () => {
      summary = await runMigration({
        prisma: ctx.db.client(),
        map: encryptionMap as EncryptionMap,
        kms: ctx.kms.client,
        keys: ctx.kms.keys,
        mode: "rotate",
        models: ["User"],
        fields: ["User.email", "User.phone"],
        stateDir,
      });
    });
    const stats = ctx.kms.stats();
    const done = summary!;
    if (done.failed > 0 || done.migrated !== rows * 2) {
      throw new Error(`benchmark check failed: migration moved ${done.migrated} of ${rows * 2} values`);
    }
    const reencrypts = stats.byAction["re-encrypt"] ?? 0;
    const valuesPerRequest = reencrypts === 0 ? 0 : done.migrated / reencrypts;
    const valuesPerSecond = done.migrated / (ms / 1000);
    const quotaBound = QUOTA_TPS_PER_KEY * valuesPerRequest;
    const ofBound = quotaBound === 0 ? 0 : Math.round((valuesPerSecond / quotaBound) * 1000) / 1000;
    return {
      name: `rotation migration, ${rows.toLocaleString("en-US")} rows × 2 fields`,
      id: "migrate-rotate",
      provider: ctx.provider,
      kmsLatencyMs: ctx.latencyMs,
      rows,
      repetitions: 1,
      ms: { plain: null, ours: round1(ms), oursNoCache: null, pfe: null },
      samples: { plain: [], ours: [round1(ms)], oursNoCache: [], pfe: [] },
      kmsCalls: stats.requests,
      kmsValues: stats.values,
      kmsCallsNoCache: null,
      cacheHitRate: null,
      cacheBytes: null,
      throttled: seeded.throttled + stats.throttled,
      kmsBusyMs: round1(unionMs(ctx.kms.requestIntervals())),
      limiterWaitMs: round1(ctx.kms.client.counters().waitMs - waitedBefore),
      quotaFloorMs: round1((Math.max(0, ...Object.values(stats.byKey)) / QUOTA_TPS_PER_KEY) * 1000),
      ratios: { oursPlain: null, oursPfe: null, oursNoCachePlain: null },
      goal: {
        text: `≥ ${GOAL_OF_BOUND}× the quota bound`,
        value: ofBound,
        met: ofBound >= GOAL_OF_BOUND,
      },
      throughput: {
        valuesPerSecond: Math.round(valuesPerSecond),
        valuesPerRequest: Math.round(valuesPerRequest * 10) / 10,
        quotaTpsPerKey: QUOTA_TPS_PER_KEY,
        quotaBound: Math.round(quotaBound),
        ofBound,
      },
      note: "ours only (plain and pfe have no KMS key rotation); engine defaults: 500 rows per page, 2 pages in flight",
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
