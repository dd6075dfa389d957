/**
 * Writing a page: one conditional `updateMany` per (row, field) — "set the
 * new value where the id matches AND the column still holds what we read" —
 * all in one batch transaction. Count 0 means the app wrote the column after
 * our read: its value wins and we count a conflict. If the transaction fails
 * (a unique column collides, a connection drops), each update is retried on
 * its own so only the culprit fails; every update is atomic by itself, so a
 * value is either fully rewritten or left as it was.
 */
import { idObject, type Where } from "./keyset.js";
import type { FieldTarget } from "./plan.js";
import type { MigratePrisma, ModelDelegate, Row } from "./prisma-access.js";
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

function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export async function writePage(
  prisma: MigratePrisma,
  delegate: ModelDelegate,
  idFields: readonly string[],
  writes: readonly PendingWrite[],
): Promise<WriteOutcome[]> {
  if (writes.length === 0) return [];
  const op = (w: PendingWrite) =>
    delegate.updateMany({
      where: { ...idObject(idFields, w.row), ...stillHolds(w.field, w.stored) },
      data: { [w.field.name]: w.value },
    });
  try {
    const results = await prisma.transaction(writes.map(op));
    return results.map((r) => (r.count > 0 ? { kind: "written" } : { kind: "conflicted" }));
  } catch {
    // Isolate: the transaction rolled back as a whole; retry each update alone.
  }
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
