/**
 * The bulk write path for String columns: one conditional UPDATE per page
 * and field (every 250 values, see sql-statements.ts) instead of one Prisma
 * `updateMany` per value, then one SELECT to tell written from conflicted.
 *
 * Safety is the same as the per-value path: the CASE compares the column
 * with the value we read inside the same statement, row by row, so an app
 * write that landed after our read is never overwritten (PostgreSQL and
 * InnoDB re-check a row changed under them against its newest version;
 * SQLite has one writer). A statement that fails changes nothing (statements
 * are atomic), and its writes go to `fallback` (the per-value path), which
 * isolates the culprit, e.g. a unique collision (`DUPLICATE`).
 *
 * A write counts as written iff the read-back column holds the new value. A
 * new ciphertext is unique to this write, except that a searchable column's
 * convergent ciphertext (or a decrypted plaintext) equals what the app
 * would store for the same plaintext: then the row holds the same content
 * either way and counting it written is right. An app write that lands
 * between our UPDATE and the SELECT is counted as a conflict (its value
 * stays, which is what a conflict means).
 *
 * Unlike Prisma's `updateMany`, raw SQL does not bump `@updatedAt` columns:
 * a key rotation does not change what the row says.
 */
import type { Row } from "./prisma-access.js";
import { type CaseWrite, caseUpdate, readBack, type SqlTable, writesPerStatement } from "./sql-statements.js";
import type { PendingWrite, WriteOutcome } from "./writer.js";

/** What the bulk path needs from the client (a subset of `MigratePrisma["raw"]`). */
export interface BulkSql {
  execute(text: string, params: readonly unknown[]): Promise<number>;
  query(text: string, params: readonly unknown[]): Promise<Row[]>;
}

/** Writes to one String field; may go through the bulk path (a String value, ids of plain scalar types). */
export function bulkWritable(table: SqlTable, idFields: readonly string[], w: PendingWrite): boolean {
  return (
    w.field.type === "String" &&
    typeof w.stored === "string" &&
    typeof w.value === "string" &&
    table.columns[w.field.name] !== undefined &&
    idFields.every((f) => isPlainId(w.row[f]))
  );
}

function isPlainId(value: unknown): value is string | number | bigint {
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint";
}

/** A row's identity for matching read-back rows with writes (number 7, bigint 7n and "7" agree). */
function idKey(ids: readonly unknown[]): string {
  return ids.map((v) => String(v)).join("\u0000");
}

/**
 * Writes `writes` (all to the same field, each row once) in as few
 * statements as the parameter limit allows. `fallback` receives the writes
 * of a statement that failed and returns their outcomes.
 */
export async function writeFieldInBulk(
  sql: BulkSql,
  table: SqlTable,
  idFields: readonly string[],
  writes: readonly PendingWrite[],
  fallback: (writes: readonly PendingWrite[]) => Promise<WriteOutcome[]>,
): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  const size = writesPerStatement(table);
  for (let start = 0; start < writes.length; start += size) {
    const chunk = writes.slice(start, start + size);
    outcomes.push(...(await writeChunk(sql, table, idFields, chunk, fallback)));
  }
  return outcomes;
}

async function writeChunk(
  sql: BulkSql,
  table: SqlTable,
  idFields: readonly string[],
  writes: readonly PendingWrite[],
  fallback: (writes: readonly PendingWrite[]) => Promise<WriteOutcome[]>,
): Promise<WriteOutcome[]> {
  const field = writes[0]!.field.name;
  const cases: CaseWrite[] = writes.map((w) => ({
    ids: idFields.map((f) => w.row[f]),
    old: w.stored,
    value: w.value,
  }));
  const update = caseUpdate(table, field, cases);
  try {
    await sql.execute(update.text, update.params);
  } catch {
    // Nothing of this statement was written; the per-value path finds the culprit.
    return fallback(writes);
  }
  const select = readBack(
    table,
    field,
    cases.map((c) => c.ids),
  );
  const rows = await sql.query(select.text, select.params);
  const now = new Map<string, unknown>();
  for (const row of rows) now.set(idKey(table.idColumns.map((_, k) => row[`k${k}`])), row.v);
  return cases.map((c) => (now.get(idKey(c.ids)) === c.value ? { kind: "written" } : { kind: "conflicted" }));
}
