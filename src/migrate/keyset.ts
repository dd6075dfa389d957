/**
 * Keyset pagination by primary key, as Prisma `where`/`orderBy` objects:
 * pages are "the next N rows after the last key", never OFFSET, so a page
 * costs the same at row 10 as at row 10 million and concurrent inserts or
 * deletes cannot shift rows between pages.
 */
import type { IdValue, RowKey } from "./types.js";

export type Where = Record<string, unknown>;

/** `(a, b) > (x, y)` expanded lexicographically: `a > x OR (a = x AND b > y)`. */
export function afterKey(idFields: readonly string[], key: RowKey | null): Where | null {
  if (key === null) return null;
  const branches: Where[] = [];
  for (let i = 0; i < idFields.length; i++) {
    const branch: Where = {};
    for (let j = 0; j < i; j++) branch[idFields[j]!] = key[j];
    branch[idFields[i]!] = { gt: key[i] };
    branches.push(branch);
  }
  return branches.length === 1 ? branches[0]! : { OR: branches };
}

/** A half-open range `[from, to)` on the first id field; `null` ends are open. */
export interface KeyRange {
  readonly from: IdValue | null;
  readonly to: IdValue | null;
}

export function inRange(idFields: readonly string[], range: KeyRange | null): Where | null {
  if (range === null || (range.from === null && range.to === null)) return null;
  const filter: Record<string, IdValue> = {};
  if (range.from !== null) filter.gte = range.from;
  if (range.to !== null) filter.lt = range.to;
  return { [idFields[0]!]: filter };
}

/** ANDs the non-null parts (or `{}` when none). */
export function allOf(...parts: Array<Where | null>): Where {
  const present = parts.filter((p): p is Where => p !== null);
  if (present.length === 0) return {};
  if (present.length === 1) return present[0]!;
  return { AND: present };
}

export function orderById(idFields: readonly string[]): Array<Record<string, "asc">> {
  return idFields.map((f) => ({ [f]: "asc" as const }));
}

export function keyOf(idFields: readonly string[], row: Readonly<Record<string, unknown>>): RowKey {
  return idFields.map((f) => row[f] as IdValue);
}

/** `{ id: 7 }` or `{ tenant: "a", seq: 3 }`: the id as a `where` and as a report entry. */
export function idObject(
  idFields: readonly string[],
  row: Readonly<Record<string, unknown>>,
): Record<string, IdValue> {
  const out: Record<string, IdValue> = {};
  for (const f of idFields) out[f] = row[f] as IdValue;
  return out;
}
