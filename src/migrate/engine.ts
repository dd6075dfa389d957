/**
 * The migration engine, usable in-process (tests, the demo) and by the CLI.
 *
 * For every selected model (searchable fields first): page through the table
 * by primary key, do one batched KMS round per page, write each value back
 * only if the column still holds what was read, checkpoint after each
 * committed page. See README.md in this folder for the runbook.
 */
import { performance } from "node:perf_hooks";
import { accessAdapter } from "./adapter-access.js";
import {
  type Checkpoint,
  checkpointPath,
  deleteCheckpoint,
  type PassName,
  type PassState,
  readCheckpoint,
  writeCheckpoint,
} from "./checkpoint.js";
import {
  MigrateCheckpointExistsError,
  MigrateCheckpointInvalidError,
  MigrateInvalidOptionError,
} from "./errors.js";
import { probeKeyVersions, rotateKeys } from "./key-versions.js";
import { afterKey, allOf, inRange, type KeyRange } from "./keyset.js";
import { verifyTargetKeys } from "./kms-round.js";
import { resolveOptions } from "./options.js";
import { processPage } from "./page.js";
import { walkPages } from "./pager.js";
import { type FieldTarget, type ModelTarget, planPasses, selectTargets } from "./plan.js";
import { createFilePlanStore } from "./plan-store.js";
import { accessPrisma, type MigratePrisma, type ModelDelegate } from "./prisma-access.js";
import { agreedBoundaries, computeBoundaries, rangeOf } from "./shard.js";
import { dryRotateCounts, emptyTally, type StatusTally, tallyPage } from "./status.js";
import type {
  FieldStatus,
  MigrateCounts,
  MigrateFailure,
  MigrateOptions,
  MigrateProgress,
  MigrateSummary,
} from "./types.js";

const MAX_REPORTED_FAILURES = 1000;

interface ModelState {
  readonly target: ModelTarget;
  readonly delegate: ModelDelegate;
  /** `null`: this shard has nothing to do in the model. */
  readonly range: KeyRange | null;
  readonly path: string;
  readonly checkpoint: Checkpoint;
  /** A checkpoint file was written (or found) for this model. */
  touched: boolean;
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}

async function prepareModel(
  options: MigrateOptions,
  prisma: MigratePrisma,
  target: ModelTarget,
  stateDir: string,
  usesCheckpoints: boolean,
): Promise<ModelState> {
  const delegate = prisma.delegate(target.model);
  const shard = options.shard ?? null;
  const path = checkpointPath(stateDir, options.mode, target.model, shard);
  const fields = target.fields.map((f) => f.name);
  const existing = usesCheckpoints ? await readCheckpoint(path, shard) : null;
  if (existing !== null && options.resume !== true && options.restart !== true) {
    throw new MigrateCheckpointExistsError(path);
  }
  if (existing !== null && options.resume === true) {
    if (
      existing.mode !== options.mode ||
      existing.model !== target.model ||
      !sameFields(existing.fields, fields)
    ) {
      throw new MigrateCheckpointInvalidError(
        path,
        "it was written for other fields; use the same --field options or --restart",
      );
    }
    // The checkpoint's range is authoritative: the table may have grown since.
    return { target, delegate, range: existing.range, path, checkpoint: existing, touched: true };
  }
  let range: KeyRange | null = { from: null, to: null };
  if (shard !== null && shard.count > 1) {
    const store = options.planStore ?? createFilePlanStore(stateDir);
    const firstId = target.idFields[0]!;
    const boundaries = await agreedBoundaries(
      store,
      `${options.runId ?? "default"}-${options.mode}-${target.model}-${shard.count}`,
      () => computeBoundaries(delegate, firstId, shard.count),
    );
    range = rangeOf(boundaries, shard);
  }
  const checkpoint: Checkpoint = {
    mode: options.mode,
    model: target.model,
    shard,
    fields,
    range,
    passes: {},
  };
  return { target, delegate, range, path, checkpoint, touched: false };
}

/**
 * Runs a migration and returns its summary. Failed values are reported in
 * the summary (with model, field and id, never the value); thrown errors mean
 * the run could not proceed (bad options, a checkpoint in the way, the
 * database unreachable).
 *
 * @example
 * ```ts
 * const summary = await runMigration({ prisma, map: encryptionMap, kms, keys: { default: tag }, mode: "rotate" });
 * if (summary.failed > 0) process.exitCode = 1;
 * // Or without the generated client, over the driver adapter alone (far less memory):
 * await runMigration({ adapter: new PrismaPg({ connectionString }), map: encryptionMap, kms, keys, mode: "rotate" });
 * ```
 */
export async function runMigration(options: MigrateOptions): Promise<MigrateSummary> {
  const started = performance.now();
  const resolved = resolveOptions(options);
  const targets = selectTargets(options.map, options.keys, {
    models: options.models,
    fields: options.fields,
  });
  const access = await openAccess(options, targets);
  try {
    return await migrate(options, resolved, access.prisma, targets, started);
  } finally {
    await access.close();
  }
}

/**
 * The client or the driver adapter (exactly one); an adapter is connected
 * here and disposed by `close`. It is asked for every target model at once,
 * so a map it cannot use or an id type it does not map is refused before any
 * KMS call or row read (a caller may then retry with the client).
 */
async function openAccess(
  options: MigrateOptions,
  targets: readonly ModelTarget[],
): Promise<{ prisma: MigratePrisma; close(): Promise<void> }> {
  const hasPrisma = options.prisma !== undefined && options.prisma !== null;
  const hasAdapter = options.adapter !== undefined && options.adapter !== null;
  if (hasPrisma === hasAdapter) {
    throw new MigrateInvalidOptionError(
      hasPrisma ? "adapter" : "prisma",
      "pass exactly one of `prisma` (the generated PrismaClient) and `adapter` (a driver adapter factory)",
    );
  }
  if (hasPrisma) return { prisma: accessPrisma(options.prisma, options.map), close: async () => {} };
  const prisma = await accessAdapter(options.adapter, options.map);
  try {
    for (const target of targets) prisma.delegate(target.model);
  } catch (error) {
    await prisma.close();
    throw error;
  }
  return { prisma, close: () => prisma.close() };
}

async function migrate(
  options: MigrateOptions,
  resolved: ReturnType<typeof resolveOptions>,
  prisma: MigratePrisma,
  targets: ModelTarget[],
  started: number,
): Promise<MigrateSummary> {
  const { mode, kms, logger, signal } = options;
  const passes = planPasses(mode, targets);
  const usesCheckpoints = mode !== "status" && !resolved.dryRun;
  const kmsAtStart = kms.counters?.() ?? { requests: 0, throttled: 0 };
  const kmsNow = () => {
    const c = kms.counters?.() ?? { requests: 0, throttled: 0 };
    return { requests: c.requests - kmsAtStart.requests, throttled: c.throttled - kmsAtStart.throttled };
  };

  // A wrong kind of key would write rows no lookup finds (or fail each one): check before touching any.
  if (mode !== "status" && !resolved.dryRun) await verifyTargetKeys(kms, targets);
  const states = new Map<string, ModelState>();
  for (const target of targets) {
    states.set(target.model, await prepareModel(options, prisma, target, resolved.stateDir, usesCheckpoints));
  }
  const resuming = [...states.values()].some((s) => s.touched);

  if (options.rotateKeys === true) {
    if (resolved.dryRun) logger?.warn("dry run: keys are not rotated");
    else if (resuming) logger?.warn("resuming: keys were rotated by the interrupted run; not rotating again");
    else await rotateKeys(kms, targets);
  }
  // A dry run makes no KMS call at all: versions come from the data (tallied like `status`).
  const dryRotate = mode === "rotate" && resolved.dryRun;
  const tallying = mode === "status" || dryRotate;
  const probed =
    (mode === "rotate" || mode === "status") && !resolved.dryRun
      ? await probeKeyVersions(kms, targets)
      : new Map<string, { keyName: string; version: number }>();
  if (resolved.dryRun && probed.size === 0 && (mode === "rotate" || mode === "status")) {
    logger?.warn(
      mode === "rotate"
        ? "dry run: no KMS call, so the keys' newest versions are not known; counting the values below the newest version found in the data" +
            (options.rotateKeys === true ? " (with --rotate-key: every ciphertext)" : "")
        : "dry run: no KMS call, so the newest key versions are not known and no value is decrypted to check it",
    );
  }
  const newest = new Map<string, number>([...probed].map(([tag, v]) => [tag, v.version]));
  const keyVersions: Record<string, number> = {};
  for (const { keyName, version } of probed.values()) keyVersions[keyName] = version;

  const passState = (s: ModelState, pass: PassName): PassState => {
    s.checkpoint.passes[pass] ??= { after: null, done: false };
    return s.checkpoint.passes[pass]!;
  };

  // Rows still to scan, for progress and ETA.
  let rowsTotal = 0;
  for (const plan of passes) {
    for (const { target } of plan.models) {
      const s = states.get(target.model)!;
      const state = passState(s, plan.pass);
      if (s.range === null || state.done) continue;
      const where = allOf(inRange(target.idFields, s.range), afterKey(target.idFields, state.after));
      rowsTotal += await s.delegate.count({ where });
    }
  }

  const counts: MigrateCounts = { rowsScanned: 0, migrated: 0, skipped: 0, conflicted: 0, failed: 0 };
  const failures: MigrateFailure[] = [];
  const tallies = new Map<string, Map<string, StatusTally>>();
  let interrupted = false;

  const report = (model: string, pass: PassName) => {
    if (options.onProgress === undefined) return;
    const kmsTotals = kmsNow();
    const progress: MigrateProgress = {
      ...counts,
      mode,
      model,
      pass,
      rowsTotal,
      rowsDone: counts.rowsScanned,
      elapsedMs: performance.now() - started,
      kmsRequests: kmsTotals.requests,
      kmsThrottled: kmsTotals.throttled,
    };
    options.onProgress(progress);
  };

  for (const plan of passes) {
    for (const { target, fields } of plan.models) {
      if (interrupted) break;
      const s = states.get(target.model)!;
      const state = passState(s, plan.pass);
      if (s.range === null || state.done) continue;
      report(target.model, plan.pass);
      const complete = await walkModel(s, fields, plan.pass, state);
      if (!complete) interrupted = true;
      report(target.model, plan.pass);
    }
  }

  async function walkModel(s: ModelState, fields: readonly FieldTarget[], pass: PassName, state: PassState) {
    const { target } = s;
    const select: Record<string, true> = {};
    for (const f of [...target.idFields, ...fields.map((x) => x.name)]) select[f] = true;
    const modelTallies = tallies.get(target.model) ?? new Map<string, StatusTally>();
    tallies.set(target.model, modelTallies);
    const complete = await walkPages({
      delegate: s.delegate,
      idFields: target.idFields,
      select,
      where: inRange(target.idFields, s.range),
      after: state.after,
      batchSize: resolved.batchSize,
      concurrency: resolved.concurrency,
      signal,
      processPage: async (rows) => {
        if (tallying) {
          await tallyPage(resolved.dryRun ? null : kms, rows, fields, modelTallies);
        } else {
          const result = await processPage(
            {
              mode,
              prisma,
              delegate: s.delegate,
              model: target.model,
              idFields: target.idFields,
              kms,
              newest,
              dryRun: resolved.dryRun,
            },
            rows,
            fields,
          );
          counts.migrated += result.counts.migrated;
          counts.skipped += result.counts.skipped;
          counts.conflicted += result.counts.conflicted;
          counts.failed += result.counts.failed;
          for (const f of result.failures) if (failures.length < MAX_REPORTED_FAILURES) failures.push(f);
        }
        counts.rowsScanned += rows.length;
      },
      onCommitted: async (lastKey) => {
        state.after = lastKey;
        if (usesCheckpoints) {
          await writeCheckpoint(s.path, s.checkpoint);
          if (!s.touched) logger?.info(`checkpoint for ${target.model}: ${s.path}`);
          s.touched = true;
        }
        report(target.model, pass);
      },
    });
    if (complete) {
      state.done = true;
      if (usesCheckpoints && s.touched) await writeCheckpoint(s.path, s.checkpoint);
    }
    return complete;
  }

  const kept: string[] = [];
  for (const s of states.values()) {
    if (!usesCheckpoints || !s.touched) continue;
    const allDone = passes.every(
      (p) => !p.models.some((m) => m.target === s.target) || passState(s, p.pass).done,
    );
    if (allDone) await deleteCheckpoint(s.path);
    else kept.push(s.path);
  }

  const status: FieldStatus[] = [];
  if (dryRotate) {
    const fields = targets.flatMap((t) =>
      t.fields.map((field) => ({ field, tally: tallies.get(t.model)?.get(field.name) ?? emptyTally() })),
    );
    const dry = dryRotateCounts(fields, options.rotateKeys === true);
    counts.migrated = dry.migrated;
    counts.skipped = dry.skipped;
  }
  if (tallying) {
    for (const target of targets) {
      for (const field of target.fields) {
        const tally = tallies.get(target.model)?.get(field.name) ?? emptyTally();
        status.push({
          model: target.model,
          field: field.name,
          ...tally,
          newestVersion: newest.get(field.keyTag) ?? null,
        });
      }
    }
  }
  const kmsTotals = kmsNow();
  return {
    ...counts,
    mode,
    dryRun: resolved.dryRun,
    shard: options.shard ?? null,
    durationMs: performance.now() - started,
    kmsRequests: kmsTotals.requests,
    kmsThrottled: kmsTotals.throttled,
    keyVersions,
    failures,
    status,
    checkpoints: kept,
    interrupted,
  };
}
