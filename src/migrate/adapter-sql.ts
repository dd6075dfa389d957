/**
 * The SQL side of migrating over a bare driver adapter (adapter-access.ts):
 * the adapter's types (structurally), parameters with argument types, values
 * mapped as Prisma's client returns them, and the statements of the query
 * shapes the engine builds, per model. Pure: nothing here sends a query.
 */
import { MigrateInternalError } from "./errors.js";
import type { Where } from "./keyset.js";
import type { Row } from "./prisma-access.js";
import { Params, quoteIdentifier, type SqlProvider, type SqlTable } from "./sql-statements.js";

// The parts of @prisma/driver-adapter-utils used here, structurally: that package is not a dependency.
type ArgScalarType =
  | "string"
  | "int"
  | "bigint"
  | "float"
  | "boolean"
  | "json"
  | "bytes"
  | "datetime"
  | "unknown";
interface ArgType {
  scalarType: ArgScalarType;
  arity: "scalar";
}
export interface SqlQuery {
  sql: string;
  args: unknown[];
  argTypes: ArgType[];
}
export interface SqlResultSet {
  columnNames: string[];
  columnTypes: number[];
  rows: unknown[][];
}
interface SqlQueryable {
  readonly provider: string;
  queryRaw(query: SqlQuery): Promise<SqlResultSet>;
  executeRaw(query: SqlQuery): Promise<number>;
}
export interface AdapterTransaction extends SqlQueryable {
  readonly options: { readonly usePhantomQuery: boolean };
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
export interface SqlDriverAdapter extends SqlQueryable {
  startTransaction(): Promise<AdapterTransaction>;
  getConnectionInfo?(): { schemaName?: string };
  dispose(): Promise<void>;
}
export interface SqlDriverAdapterFactory {
  readonly provider: string;
  connect(): Promise<SqlDriverAdapter>;
}

/** `ColumnTypeEnum` values of driver-adapter-utils that raw results convert. */
const COLUMN_INT64 = 1;
const COLUMN_JSON = 11;
const COLUMN_BYTES = 13;

/** Driver adapter provider → the SQL dialect the engine speaks. */
export const dialects: Readonly<Record<string, SqlProvider>> = {
  postgres: "postgresql",
  mysql: "mysql",
  sqlite: "sqlite",
};

/** Prisma scalar types this path reads and writes: ids of the first three, encrypted fields of the last three. */
export type FieldType = "Int" | "BigInt" | "String" | "Json" | "Bytes";
export const ID_TYPES: readonly string[] = ["Int", "BigInt", "String"];

export interface Column {
  readonly name: string;
  readonly type: FieldType;
}

export interface ModelSql {
  readonly model: string;
  readonly table: SqlTable;
  /** Id and encrypted fields by field name: the only ones the engine queries. */
  readonly columns: ReadonlyMap<string, Column>;
}

/** Positional parameters with the argument types the adapters map values by. */
export class AdapterParams extends Params {
  readonly types: ArgType[] = [];
  typed(arg: unknown, scalarType: ArgScalarType): string {
    this.types.push({ scalarType, arity: "scalar" });
    return this.add(arg);
  }
  query(sql: string): SqlQuery {
    return { sql, args: this.values, argTypes: this.types };
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * A field value as the adapters take it (Prisma's own encoding): BigInt as a
 * decimal string, Json as JSON text, Bytes as base64, each typed.
 */
export function encode(column: Column, value: unknown, where: string): [unknown, ArgScalarType] {
  switch (column.type) {
    case "String":
      if (typeof value === "string") return [value, "string"];
      break;
    case "Int":
      if (typeof value === "number" && Number.isSafeInteger(value)) return [value, "int"];
      break;
    case "BigInt":
      if (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value)))
        return [String(value), "bigint"];
      break;
    case "Json":
      if (value !== undefined) return [JSON.stringify(value), "json"];
      break;
    case "Bytes":
      if (value instanceof Uint8Array) return [base64(value), "bytes"];
      break;
  }
  throw new MigrateInternalError(`${where}: a ${typeof value} for the ${column.type} field '${column.name}'`);
}

/** A column value as Prisma's client returns it for the field's type. */
export function decode(column: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case "Int":
      return Number(value);
    case "BigInt":
      // pg and MariaDB return int8 as a string, better-sqlite3 as a number when it is safe.
      return BigInt(value as string | number | bigint);
    case "String":
      return value;
    case "Json":
      // Every adapter returns JSON as its text (pg's parser is the identity; MariaDB's `jsonStrings`).
      return typeof value === "string" ? JSON.parse(value) : value;
    case "Bytes":
      return toBytes(value);
  }
}

function toBytes(value: unknown): Uint8Array {
  // Buffers (pg, MariaDB, better-sqlite3) become plain Uint8Array views, as Prisma 7 returns Bytes.
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  throw new MigrateInternalError(`the adapter returned a ${typeof value} for a Bytes column`);
}

/** A raw parameter's type from its JS value (the bulk path passes strings, numbers and bigints). */
export function rawArg(value: unknown): [unknown, ArgScalarType] {
  if (value === null) return [null, "unknown"];
  switch (typeof value) {
    case "string":
      return [value, "string"];
    case "number":
      return [value, Number.isInteger(value) ? "int" : "float"];
    case "bigint":
      return [String(value), "bigint"];
    case "boolean":
      return [value, "boolean"];
  }
  if (value instanceof Uint8Array) return [base64(value), "bytes"];
  if (value instanceof Date) return [value.toISOString(), "datetime"];
  throw new MigrateInternalError(`a raw SQL parameter of type ${typeof value}`);
}

export function rawValue(columnType: number | undefined, value: unknown): unknown {
  if (value === null) return null;
  if (columnType === COLUMN_INT64) return BigInt(value as string | number | bigint);
  if (columnType === COLUMN_BYTES) return toBytes(value);
  if (columnType === COLUMN_JSON && typeof value === "string") return JSON.parse(value);
  return value;
}

function isFilter(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value)
  );
}

const RANGE_OPERATORS: Readonly<Record<string, string>> = { gt: ">", gte: ">=", lt: "<" };

/** Statements of one model, in its database names. */
export class ModelStatements {
  readonly provider: SqlProvider;

  constructor(readonly m: ModelSql) {
    this.provider = m.table.provider;
  }

  q(name: string): string {
    return quoteIdentifier(this.provider, name);
  }

  column(field: string, what: string): Column {
    const column = this.m.columns.get(field);
    if (column === undefined) {
      throw new MigrateInternalError(
        `${what} names '${this.m.model}.${field}', neither an id nor an encrypted field`,
      );
    }
    return column;
  }

  /** `WHERE …` (or nothing) for the engine's filters: AND / OR / NOT of field conditions. */
  where(where: Where | undefined, params: AdapterParams): string {
    if (where === undefined) return "";
    const sql = this.conjunction(where, params);
    return sql === "" ? "" : ` WHERE ${sql}`;
  }

  conjunction(where: Where, params: AdapterParams): string {
    if (!isFilter(where)) throw new MigrateInternalError(`a where that is not an object`);
    const parts: string[] = [];
    for (const [key, value] of Object.entries(where)) {
      if (value === undefined) continue;
      if (key === "AND" || key === "OR") {
        if (!Array.isArray(value) || value.length === 0) {
          throw new MigrateInternalError(`${key} takes a non-empty array here`);
        }
        const branches = value.map((w: Where) => this.conjunction(w, params) || "1=1");
        parts.push(`(${branches.join(key === "AND" ? " AND " : " OR ")})`);
      } else if (key === "NOT") {
        if (!isFilter(value)) throw new MigrateInternalError("NOT takes one object here");
        parts.push(`NOT (${this.conjunction(value, params) || "1=1"})`);
      } else {
        parts.push(this.fieldCondition(key, value, params));
      }
    }
    return parts.join(" AND ");
  }

  fieldCondition(field: string, value: unknown, params: AdapterParams): string {
    const column = this.column(field, "a where");
    if (value === null) throw new MigrateInternalError(`a null filter on '${this.m.model}.${field}'`);
    if (!isFilter(value)) {
      // A bare Json value would be read as a filter object: the engine always wraps it in `equals`.
      if (column.type === "Json")
        throw new MigrateInternalError(`the Json field '${field}' takes { equals }`);
      return this.equality(column, value, params);
    }
    const parts: string[] = [];
    for (const [op, operand] of Object.entries(value)) {
      if (op === "equals") {
        parts.push(this.equality(column, operand, params));
      } else if (RANGE_OPERATORS[op] !== undefined && ID_TYPES.includes(column.type)) {
        const [arg, type] = encode(column, operand, op);
        parts.push(`${this.q(column.name)} ${RANGE_OPERATORS[op]} ${params.typed(arg, type)}`);
      } else {
        throw new MigrateInternalError(`the filter '${op}' on the ${column.type} field '${field}'`);
      }
    }
    if (parts.length === 0) throw new MigrateInternalError(`an empty filter on '${field}'`);
    return parts.join(" AND ");
  }

  /**
   * `column = value` for the field's type, as Prisma compares: Json by value
   * (PostgreSQL `::jsonb =`, which also serves `json` columns; MySQL/MariaDB
   * containment both ways), text JSON on SQLite; Bytes and strings directly.
   */
  equality(column: Column, value: unknown, params: AdapterParams): string {
    if (value === null) throw new MigrateInternalError(`a null equality on '${column.name}'`);
    const col = this.q(column.name);
    const [arg, type] = encode(column, value, "equals");
    if (column.type === "Json" && this.provider === "postgresql")
      return `${col}::jsonb = ${params.typed(arg, type)}`;
    if (column.type === "Json" && this.provider === "mysql") {
      return `(JSON_CONTAINS(${col}, ${params.typed(arg, type)}) AND JSON_CONTAINS(${params.typed(arg, type)}, ${col}))`;
    }
    return `${col} = ${params.typed(arg, type)}`;
  }

  orderBy(orderBy: unknown): string {
    if (orderBy === undefined) return "";
    const list = Array.isArray(orderBy) ? orderBy : [orderBy];
    const terms = list.map((entry: unknown) => {
      const pairs = isFilter(entry) ? Object.entries(entry) : [];
      const [field, direction] = pairs[0] ?? [];
      if (pairs.length !== 1 || field === undefined || (direction !== "asc" && direction !== "desc")) {
        throw new MigrateInternalError("orderBy takes { field: 'asc' | 'desc' } entries here");
      }
      return `${this.q(this.column(field, "orderBy").name)} ${direction === "asc" ? "ASC" : "DESC"}`;
    });
    return terms.length === 0 ? "" : ` ORDER BY ${terms.join(", ")}`;
  }

  /** `LIMIT`/`OFFSET` as literals (checked integers; MySQL and SQLite want a LIMIT before an OFFSET). */
  limit(take: number | undefined, skip: number | undefined): string {
    const count = (n: number | undefined, what: string) => {
      if (n !== undefined && (!Number.isSafeInteger(n) || n < 0))
        throw new MigrateInternalError(`${what} ${n}`);
      return n;
    };
    const t = count(take, "take");
    const s = count(skip, "skip");
    if (s !== undefined && s > 0 && t === undefined) throw new MigrateInternalError("skip without take");
    return (t === undefined ? "" : ` LIMIT ${t}`) + (s === undefined || s === 0 ? "" : ` OFFSET ${s}`);
  }

  selected(select: Record<string, true>, what: string): Column[] {
    const columns = Object.entries(select).map(([field, on]) => {
      if (on !== true) throw new MigrateInternalError(`${what} takes { field: true } only`);
      return this.column(field, what);
    });
    if (columns.length === 0) throw new MigrateInternalError(`an empty ${what}`);
    return columns;
  }
}

export function rowsOf(fields: readonly string[], columns: readonly Column[], result: SqlResultSet): Row[] {
  return result.rows.map((values) => {
    const row: Row = {};
    fields.forEach((field, i) => {
      row[field] = decode(columns[i]!, values[i]);
    });
    return row;
  });
}
