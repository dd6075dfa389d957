/**
 * The two raw statements of the bulk write path, built as text plus
 * positional parameters for one provider: a conditional
 * `UPDATE … SET col = CASE WHEN <id> AND col = <old> THEN <new> … ELSE col END`
 * over a set of rows, and the `SELECT` that reads those rows back. Pure
 * string building; values only ever travel as parameters.
 */
import type { EncryptionMap } from "../schema/map.js";

/** Providers the bulk path speaks (Prisma's `_activeProvider` names). */
export type SqlProvider = "postgresql" | "mysql" | "sqlite";

/** Where a model's rows live, in database names (`@@map` / `@map` applied). */
export interface SqlTable {
  readonly provider: SqlProvider;
  /** The database schema (`@@schema`, PostgreSQL multi-schema), or none: the connection's default. */
  readonly schema?: string | undefined;
  readonly table: string;
  /** Column names of the primary key fields, in the model's id order. */
  readonly idColumns: readonly string[];
  /** Encrypted field name → column name. */
  readonly columns: Readonly<Record<string, string>>;
}

/** The model's table in database names, when the map has them (maps from older generators do not). */
export function sqlTableOf(
  map: EncryptionMap | undefined,
  model: string,
  provider: SqlProvider,
): SqlTable | null {
  const info = map?.models[model];
  if (info?.dbName === undefined || info.idColumns === undefined) return null;
  if (info.idColumns.length !== info.idFields.length || info.idColumns.length === 0) return null;
  const columns: Record<string, string> = {};
  for (const field of Object.values(info.encrypted)) {
    if (field.dbName === undefined) return null;
    columns[field.name] = field.dbName;
  }
  return { provider, schema: info.dbSchema, table: info.dbName, idColumns: info.idColumns, columns };
}

/** One conditional write: the row's id values (id order), the value read, the value to write. */
export interface CaseWrite {
  readonly ids: readonly unknown[];
  readonly old: unknown;
  readonly value: unknown;
}

export interface SqlStatement {
  readonly text: string;
  readonly params: unknown[];
}

/** Bound parameters per statement: SQLite's SQLITE_MAX_VARIABLE_NUMBER, the 16-bit limit of MySQL's and PostgreSQL's protocols. */
const PARAM_LIMIT: Readonly<Record<SqlProvider, number>> = {
  sqlite: 32_766,
  mysql: 65_535,
  postgresql: 65_535,
};

export function quoteIdentifier(provider: SqlProvider, name: string): string {
  return provider === "mysql" ? `\`${name.replaceAll("`", "``")}\`` : `"${name.replaceAll('"', '""')}"`;
}

/**
 * Writes per statement at most, whatever the parameter limit: the database
 * tries a row's CASE branches in order, so a statement costs rows × branches
 * and large statements grow quadratically.
 */
export const MAX_WRITES_PER_STATEMENT = 250;

/** How many writes fit in one UPDATE: each takes its ids twice (CASE and WHERE), the old and the new value. */
export function writesPerStatement(table: SqlTable): number {
  const byParams = Math.floor(PARAM_LIMIT[table.provider] / (2 * table.idColumns.length + 2));
  return Math.min(byParams, MAX_WRITES_PER_STATEMENT);
}

/** Positional parameters of one statement: `add` keeps the value and returns its placeholder. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly provider: SqlProvider) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.provider === "postgresql" ? `$${this.values.length}` : "?";
  }
}

/**
 * `id IN (…)`, or for compound ids a row-value IN. Not an OR chain: SQLite
 * parses `a OR b OR …` as a tree whose depth is capped at 1000. SQLite wants a
 * subquery on the right of a row-value IN (`VALUES`); PostgreSQL does not get
 * `VALUES`, whose untyped parameters would resolve to text, not the id types.
 */
function idPredicate(table: SqlTable, params: Params, rows: readonly (readonly unknown[])[]): string {
  const ids = table.idColumns.map((c) => quoteIdentifier(table.provider, c));
  if (ids.length === 1) return `${ids[0]} IN (${rows.map((r) => params.add(r[0])).join(", ")})`;
  const tuples = rows.map((r) => `(${r.map((v) => params.add(v)).join(", ")})`).join(", ");
  const list = table.provider === "sqlite" ? `VALUES ${tuples}` : tuples;
  return `(${ids.join(", ")}) IN (${list})`;
}

/** The table as SQL: `"schema"."table"` when the model has a `@@schema`. */
export function tableName(table: SqlTable): string {
  const name = quoteIdentifier(table.provider, table.table);
  return table.schema === undefined ? name : `${quoteIdentifier(table.provider, table.schema)}.${name}`;
}

/** The conditional bulk UPDATE of one column; rows whose column no longer holds `old` keep their value. */
export function caseUpdate(table: SqlTable, field: string, writes: readonly CaseWrite[]): SqlStatement {
  const q = (name: string) => quoteIdentifier(table.provider, name);
  const column = q(columnOf(table, field));
  const ids = table.idColumns.map(q);
  const params = new Params(table.provider);
  const whens = writes.map((w) => {
    const idMatch = ids.map((id, k) => `${id} = ${params.add(w.ids[k])}`).join(" AND ");
    return `WHEN ${idMatch} AND ${column} = ${params.add(w.old)} THEN ${params.add(w.value)}`;
  });
  const where = idPredicate(
    table,
    params,
    writes.map((w) => w.ids),
  );
  return {
    text: `UPDATE ${tableName(table)} SET ${column} = CASE ${whens.join(" ")} ELSE ${column} END WHERE ${where}`,
    params: params.values,
  };
}

/** Reads the rows back: id columns as `k0, k1, …` and the column as `v`. */
export function readBack(
  table: SqlTable,
  field: string,
  rows: readonly (readonly unknown[])[],
): SqlStatement {
  const q = (name: string) => quoteIdentifier(table.provider, name);
  const params = new Params(table.provider);
  const ids = table.idColumns.map((c, k) => `${q(c)} AS k${k}`).join(", ");
  const where = idPredicate(table, params, rows);
  return {
    text: `SELECT ${ids}, ${q(columnOf(table, field))} AS v FROM ${tableName(table)} WHERE ${where}`,
    params: params.values,
  };
}

function columnOf(table: SqlTable, field: string): string {
  return table.columns[field] ?? field;
}
