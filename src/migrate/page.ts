/**
 * One page: per field, classify its values, one KMS round for those that
 * need work, one conditional batch write; the counts and failures.
 */
import { idObject } from "./keyset.js";
import { errorCode, kmsRound, type WorkItem } from "./kms-round.js";
import type { FieldTarget } from "./plan.js";
import type { MigratePrisma, ModelDelegate, Row } from "./prisma-access.js";
import type { MigrateCounts, MigrateFailure, MigrateKms, MigrateMode } from "./types.js";
import { decryptWork, encryptWork, rotateWork, type Work } from "./value-work.js";
import { type PendingWrite, writePage } from "./writer.js";

export interface PageContext {
  readonly mode: Exclude<MigrateMode, "status">;
  readonly prisma: MigratePrisma;
  readonly delegate: ModelDelegate;
  readonly model: string;
  readonly idFields: readonly string[];
  readonly kms: MigrateKms;
  /** Newest version per key tag (rotate). */
  readonly newest: ReadonlyMap<string, number>;
  readonly dryRun: boolean;
}

export interface PageResult {
  readonly counts: Omit<MigrateCounts, "rowsScanned">;
  readonly failures: MigrateFailure[];
}

function workFor(ctx: PageContext, field: FieldTarget, stored: unknown): Work {
  switch (ctx.mode) {
    case "rotate":
      return rotateWork(field, stored, ctx.newest.get(field.keyTag) ?? Number.POSITIVE_INFINITY);
    case "encrypt":
      return encryptWork(field, stored);
    case "decrypt":
      return decryptWork(field, stored);
  }
}

/**
 * The code a failed value is reported with. A 400 on re-encrypt/decrypt of
 * a stored ciphertext (the client isolates it to the one value) means the
 * KMS could not authenticate it: tampered, another column's context, another
 * key's ciphertext. That is a decrypt failure, reported as the extension
 * reports it on read, not as `KMS_BAD_REQUEST` (which points at the client's
 * configuration).
 */
export function failureCode(mode: PageContext["mode"], code: string): string {
  return mode !== "encrypt" && code === "KMS_BAD_REQUEST" ? "DECRYPTION_FAILED" : code;
}

/**
 * Processes a page field by field: one KMS round for the field's values,
 * then its conditional write, before the next field's round starts. So at
 * any moment a page holds at most one field's batch of KMS results not yet
 * written: a kill loses at most `batchSize` values of KMS work per page in
 * flight (`concurrency × batchSize` in all), however many fields the pass has.
 */
export async function processPage(
  ctx: PageContext,
  rows: readonly Row[],
  fields: readonly FieldTarget[],
): Promise<PageResult> {
  const counts = { migrated: 0, skipped: 0, conflicted: 0, failed: 0 };
  const failures: MigrateFailure[] = [];
  for (const field of fields) await processField(ctx, rows, field, counts, failures);
  return { counts, failures };
}

async function processField(
  ctx: PageContext,
  rows: readonly Row[],
  field: FieldTarget,
  counts: { migrated: number; skipped: number; conflicted: number; failed: number },
  failures: MigrateFailure[],
): Promise<void> {
  const fail = (row: Row, code: string, extra?: Partial<MigrateFailure>) => {
    counts.failed++;
    failures.push({ model: ctx.model, field: field.name, id: idObject(ctx.idFields, row), code, ...extra });
  };

  const items: WorkItem[] = [];
  for (const row of rows) {
    const stored = row[field.name];
    const work = workFor(ctx, field, stored);
    if (work.kind === "skip") counts.skipped++;
    else if (work.kind === "invalid") fail(row, work.code);
    else items.push({ row, field, stored, work });
  }
  if (ctx.dryRun || items.length === 0) {
    // Dry run: what would be migrated, without a crypto call or a write.
    counts.migrated += ctx.dryRun ? items.length : 0;
    return;
  }

  let outcomes: Awaited<ReturnType<typeof kmsRound>>;
  try {
    outcomes = await kmsRound(ctx.mode, ctx.kms, items);
  } catch (error) {
    const code = errorCode(error);
    outcomes = items.map(() => ({ ok: false, code }));
  }
  const writes: PendingWrite[] = [];
  items.forEach((item, n) => {
    const outcome = outcomes[n]!;
    if (outcome.ok) writes.push({ row: item.row, field, stored: item.stored, value: outcome.value });
    else fail(item.row, failureCode(ctx.mode, outcome.code));
  });

  const written = await writePage(ctx.prisma, ctx.delegate, ctx.idFields, writes);
  written.forEach((result, n) => {
    const w = writes[n]!;
    if (result.kind === "written") counts.migrated++;
    else if (result.kind === "conflicted") counts.conflicted++;
    else fail(w.row, result.code, result.conflictsWith ? { conflictsWith: result.conflictsWith } : {});
  });
}
