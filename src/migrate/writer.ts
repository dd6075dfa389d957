/**
 * Writing a page. Every write is conditional — "set the new value where the
 * id matches AND the column still holds what we read" — so an app write
 * after our read wins and is counted as a conflict.
 *
 * String columns go through the bulk path (`sql-writer.ts`: one CASE UPDATE
 * per field, when the client speaks raw SQL and the map has database names).
 * The rest (Json, Bytes, other clients) get one Prisma `updateMany` per
 * (row, field), all in one batch transaction. If that transaction or a bulk
 * statement fails (a unique column collides, a connection drops), each of
 * its updates is retried on its own so only the culprit fails; every update
 * is atomic by itself, so a value is either fully rewritten or left as it was.
 */
import { driverErrorCode } from "./adapter-access.js";
import { idObject, type Where } from "./keyset.js";
import type { FieldTarget } from "./plan.js";
import type { MigratePrisma, ModelDelegate, Row } from "./prisma-access.js";
import { bulkWritable, writeFieldInBulk } from "./sql-writer.js";
import type { IdValue } from "./types.js";
import { stillHolds } from "./value-work.js";

export interface PendingWrite {
  readonly row: Row;
  readonly field: FieldTarget;
  readonly stored: unknown;
  readonly value: unknown;
}

export type WriteOutcome =
  | { kind: "written" }
  | { kind: "conflicted" }
  | { kind: "failed"; code: string; conflictsWith?: Record<string, IdValue> };

/** Prisma's error code (`P2002`, ...): the client's, or the one it would give a driver adapter's error (adapter path). */
function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : driverErrorCode(error);
}

/** Writes a page's values; one outcome per write, in order. */
export async function writePage(
  prisma: MigratePrisma,
  delegate: ModelDelegate,
  idFields: readonly string[],
  writes: readonly PendingWrite[],
): Promise<WriteOutcome[]> {
  if (writes.length === 0) return [];
  const table = prisma.sqlTable(delegate);
  const bulkByField = new Map<string, number[]>();
  const viaPrisma: number[] = [];
  writes.forEach((w, n) => {
    if (prisma.raw !== null && table !== null && bulkWritable(table, idFields, w)) {
      const group = bulkByField.get(w.field.name) ?? [];
      group.push(n);
      bulkByField.set(w.field.name, group);
    } else {
      viaPrisma.push(n);
    }
  });
  const outcomes = new Array<WriteOutcome>(writes.length);
  const place = (indexes: readonly number[], results: readonly WriteOutcome[]) =>
    indexes.forEach((n, k) => {
      outcomes[n] = results[k]!;
    });
  const pick = (indexes: readonly number[]) => indexes.map((n) => writes[n]!);

  if (viaPrisma.length > 0)
    place(viaPrisma, await writeWithPrisma(prisma, delegate, idFields, pick(viaPrisma)));
  for (const indexes of bulkByField.values()) {
    const results = await writeFieldInBulk(prisma.raw!, table!, idFields, pick(indexes), (failed) =>
      writeEach(delegate, idFields, failed),
    );
    place(indexes, results);
  }
  return outcomes;
}

/** The Prisma path: every update in one batch transaction; on failure, each alone. */
async function writeWithPrisma(
  prisma: MigratePrisma,
  delegate: ModelDelegate,
  idFields: readonly string[],
  writes: readonly PendingWrite[],
): Promise<WriteOutcome[]> {
  try {
    const results = await prisma.transaction(writes.map((w) => conditionalUpdate(delegate, idFields, w)));
    return results.map((r) => (r.count > 0 ? { kind: "written" } : { kind: "conflicted" }));
  } catch {
    // Isolate: the transaction rolled back as a whole; retry each update alone.
  }
  return writeEach(delegate, idFields, writes);
}

function conditionalUpdate(delegate: ModelDelegate, idFields: readonly string[], w: PendingWrite) {
  return delegate.updateMany({
    where: { ...idObject(idFields, w.row), ...stillHolds(w.field, w.stored) },
    data: { [w.field.name]: w.value },
  });
}

/** One update per write, each on its own: only the culprit of a failure fails. */
async function writeEach(
  delegate: ModelDelegate,
  idFields: readonly string[],
  writes: readonly PendingWrite[],
): Promise<WriteOutcome[]> {
  const op = (w: PendingWrite) => conditionalUpdate(delegate, idFields, w);
  const outcomes: WriteOutcome[] = [];
  for (const w of writes) {
    try {
      const result = await op(w);
      outcomes.push(result.count > 0 ? { kind: "written" } : { kind: "conflicted" });
    } catch (error) {
      const code = prismaCode(error);
      if (code === "P2002") {
        outcomes.push({ kind: "failed", code: "DUPLICATE", ...(await holderOf(delegate, idFields, w)) });
      } else {
        outcomes.push({ kind: "failed", code: code === undefined ? "WRITE_FAILED" : `WRITE_FAILED_${code}` });
      }
    }
  }
  return outcomes;
}

/** The row that already holds the new value (same plaintext, convergent key) in the unique column. */
async function holderOf(
  delegate: ModelDelegate,
  idFields: readonly string[],
  w: PendingWrite,
): Promise<{ conflictsWith?: Record<string, IdValue> }> {
  const select = Object.fromEntries(idFields.map((f) => [f, true as const]));
  const where: Where = { ...stillHolds(w.field, w.value), NOT: idObject(idFields, w.row) };
  try {
    const other = await delegate.findFirst({ where, select });
    return other === null ? {} : { conflictsWith: idObject(idFields, other) };
  } catch {
    return {};
  }
}
