/**
 * The engine's Prisma operations ({@link MigratePrisma}) over a Prisma 7
 * driver adapter directly (`new PrismaPg(...)`, `new PrismaMariaDb(...)`,
 * `new PrismaBetterSqlite3(...)`), without the generated client and its
 * query compiler: the migrate process then costs the driver and its rows,
 * not ~120 MB of client before the first row.
 *
 * It translates exactly the query shapes the engine builds (keyset pages by
 * primary key, counts, min/max of the first id, conditional single-column
 * updates, the holder lookup of a duplicate) into SQL with the names of the
 * encryption map, and maps values the way Prisma's client would return them
 * for the engine's purposes: Int ids → number, BigInt ids → bigint, String →
 * string, Json → the parsed value, Bytes → Uint8Array. Any other shape or
 * type throws ({@link MigrateInternalError}, {@link MigrateAdapterUnsupportedError}),
 * never a guess.
 *
 * Unlike Prisma's `updateMany`, these UPDATEs do not bump `@updatedAt`
 * columns (as the bulk path's raw SQL does not): a key rotation does not
 * change what the row says.
 */
import type { EncryptionMap } from "../schema/map.js";
import {
  MigrateAdapterUnsupportedError,
  MigrateClientError,
  MigrateInternalError,
  MigrateMapIncompleteError,
} from "./errors.js";
import type { Where } from "./keyset.js";
import type { MigratePrisma, ModelDelegate, RawSql, Row } from "./prisma-access.js";
import {
  Params,
  quoteIdentifier,
  type SqlProvider,
  type SqlTable,
  sqlTableOf,
  tableName,
} from "./sql-statements.js";

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
interface SqlQuery {
  sql: string;
  args: unknown[];
  argTypes: ArgType[];
}
interface SqlResultSet {
  columnNames: string[];
  columnTypes: number[];
  rows: unknown[][];
}
interface SqlQueryable {
  readonly provider: string;
  queryRaw(query: SqlQuery): Promise<SqlResultSet>;
  executeRaw(query: SqlQuery): Promise<number>;
}
interface AdapterTransaction extends SqlQueryable {
  readonly options: { readonly usePhantomQuery: boolean };
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
interface SqlDriverAdapter extends SqlQueryable {
  startTransaction(): Promise<AdapterTransaction>;
  getConnectionInfo?(): { schemaName?: string };
  dispose(): Promise<void>;
}
interface SqlDriverAdapterFactory {
  readonly provider: string;
  connect(): Promise<SqlDriverAdapter>;
}

/** `ColumnTypeEnum` values of driver-adapter-utils that raw results convert. */
const COLUMN_INT64 = 1;
const COLUMN_JSON = 11;
const COLUMN_BYTES = 13;

/** Driver adapter provider → the SQL dialect the engine speaks. */
const dialects: Readonly<Record<string, SqlProvider>> = {
  postgres: "postgresql",
  mysql: "mysql",
  sqlite: "sqlite",
};

/** Prisma scalar types this path reads and writes: ids of the first three, encrypted fields of the last three. */
type FieldType = "Int" | "BigInt" | "String" | "Json" | "Bytes";
const ID_TYPES: readonly string[] = ["Int", "BigInt", "String"];

interface Column {
  readonly name: string;
  readonly type: FieldType;
}

interface ModelSql {
  readonly model: string;
  readonly table: SqlTable;
  /** Id and encrypted fields by field name: the only ones the engine queries. */
  readonly columns: ReadonlyMap<string, Column>;
}

/**
 * The code Prisma's client gives a driver adapter error (`P2002` for a unique
 * violation, ...), so a failure reads the same on both paths; `undefined` for
 * anything else, or a database-specific error (Prisma gives those no code either).
 */
export function driverErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== "DriverAdapterError") return undefined;
  const kind = (error.cause as { kind?: unknown } | undefined)?.kind;
  return typeof kind === "string" ? PRISMA_CODES[kind] : undefined;
}

/** As Prisma's client maps `DriverAdapterError` kinds (client-engine-runtime). */
const PRISMA_CODES: Readonly<Record<string, string>> = {
  AuthenticationFailed: "P1000",
  DatabaseNotReachable: "P1001",
  DatabaseDoesNotExist: "P1003",
  SocketTimeout: "P1008",
  DatabaseAlreadyExists: "P1009",
  DatabaseAccessDenied: "P1010",
  TlsConnectionError: "P1011",
  ConnectionClosed: "P1017",
  TransactionAlreadyClosed: "P1018",
  LengthMismatch: "P2000",
  UniqueConstraintViolation: "P2002",
  ForeignKeyConstraintViolation: "P2003",
  RestrictViolation: "P2003",
  InvalidInputValue: "P2007",
  UnsupportedNativeDataType: "P2010",
  NullConstraintViolation: "P2011",
  ValueOutOfRange: "P2020",
  TableDoesNotExist: "P2021",
  ColumnNotFound: "P2022",
  InvalidIsolationLevel: "P2023",
  InconsistentColumnData: "P2023",
  MissingFullTextSearchIndex: "P2030",
  TransactionWriteConflict: "P2034",
  GenericJs: "P2036",
  TooManyConnections: "P2037",
};

function isFactory(value: unknown): value is SqlDriverAdapterFactory {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as SqlDriverAdapterFactory).connect === "function" &&
    typeof (value as SqlDriverAdapterFactory).provider === "string"
  );
}

/**
 * One connected adapter. SQLite adapters share one connection between the
 * transaction and everything else (better-sqlite3's `startTransaction` only
 * locks out other transactions), so on SQLite every statement waits for an
 * open transaction to end: a page's bulk UPDATE must not land inside another
 * page's transaction and be rolled back with it.
 */
class Connection {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly adapter: SqlDriverAdapter,
    private readonly serial: boolean,
  ) {}

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (!this.serial) return run();
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  query(query: SqlQuery): Promise<SqlResultSet> {
    return this.#exclusive(() => this.adapter.queryRaw(query));
  }

  execute(query: SqlQuery): Promise<number> {
    return this.#exclusive(() => this.adapter.executeRaw(query));
  }

  /**
   * Runs the statements in one transaction, ending it as Prisma's client
   * does: adapters with `usePhantomQuery` (MariaDB) send COMMIT/ROLLBACK in
   * `commit()`/`rollback()`; the others (pg, better-sqlite3) want the
   * statement sent first, `commit()`/`rollback()` only releasing the connection.
   */
  transaction(queries: readonly SqlQuery[]): Promise<number[]> {
    return this.#exclusive(async () => {
      const tx = await this.adapter.startTransaction();
      const counts: number[] = [];
      try {
        for (const query of queries) counts.push(await tx.executeRaw(query));
      } catch (error) {
        await endTransaction(tx, "ROLLBACK").catch(() => undefined);
        throw error;
      }
      await endTransaction(tx, "COMMIT");
      return counts;
    });
  }
}

async function endTransaction(tx: AdapterTransaction, end: "COMMIT" | "ROLLBACK"): Promise<void> {
  if (tx.options.usePhantomQuery) {
    await (end === "COMMIT" ? tx.commit() : tx.rollback());
    return;
  }
  try {
    await tx.executeRaw({ sql: end, args: [], argTypes: [] });
  } catch (error) {
    await tx.rollback();
    throw error;
  }
  await (end === "COMMIT" ? tx.commit() : tx.rollback());
}

/** Positional parameters with the argument types the adapters map values by. */
class AdapterParams extends Params {
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
function encode(column: Column, value: unknown, where: string): [unknown, ArgScalarType] {
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
function decode(column: Column, value: unknown): unknown {
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
function rawArg(value: unknown): [unknown, ArgScalarType] {
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

function rawValue(columnType: number | undefined, value: unknown): unknown {
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
class ModelStatements {
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

function rowsOf(fields: readonly string[], columns: readonly Column[], result: SqlResultSet): Row[] {
  return result.rows.map((values) => {
    const row: Row = {};
    fields.forEach((field, i) => {
      row[field] = decode(columns[i]!, values[i]);
    });
    return row;
  });
}

/** An `updateMany` not sent yet: awaiting it runs it alone, `transaction` runs several in one. */
class PendingUpdate implements PromiseLike<{ count: number }> {
  #run: Promise<{ count: number }> | undefined;

  constructor(
    private readonly connection: Connection,
    readonly query: SqlQuery,
  ) {}

  // biome-ignore lint/suspicious/noThenProperty: lazy like Prisma's own PrismaPromise, which the writer awaits or batches.
  then<A = { count: number }, B = never>(
    onFulfilled?: ((value: { count: number }) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    this.#run ??= this.connection.execute(this.query).then((count) => ({ count }));
    return this.#run.then(onFulfilled, onRejected);
  }
}

function modelDelegate(connection: Connection, m: ModelSql): ModelDelegate {
  const s = new ModelStatements(m);
  const from = ` FROM ${tableName(m.table)}`;
  const findMany: ModelDelegate["findMany"] = async (args) => {
    const columns = s.selected(args.select, "select");
    const params = new AdapterParams(s.provider);
    const sql =
      `SELECT ${columns.map((c) => s.q(c.name)).join(", ")}${from}` +
      s.where(args.where, params) +
      s.orderBy(args.orderBy) +
      s.limit(args.take, args.skip);
    return rowsOf(Object.keys(args.select), columns, await connection.query(params.query(sql)));
  };
  return {
    findMany,
    async findFirst(args) {
      const [row] = await findMany({ ...args, take: 1 });
      return row ?? null;
    },
    updateMany(args) {
      const params = new AdapterParams(s.provider);
      const sets = Object.entries(args.data).map(([field, value]) => {
        const [arg, type] = encode(s.column(field, "data"), value, "data");
        return `${s.q(s.column(field, "data").name)} = ${params.typed(arg, type)}`;
      });
      if (sets.length === 0) throw new MigrateInternalError("an updateMany without data");
      const sql = `UPDATE ${tableName(m.table)} SET ${sets.join(", ")}${s.where(args.where, params)}`;
      return new PendingUpdate(connection, params.query(sql));
    },
    async count(args) {
      const params = new AdapterParams(s.provider);
      const result = await connection.query(
        params.query(`SELECT COUNT(*)${from}${s.where(args?.where, params)}`),
      );
      return Number(result.rows[0]?.[0] ?? 0);
    },
    async aggregate(args) {
      const min = s.selected(args._min, "_min");
      const max = s.selected(args._max, "_max");
      const params = new AdapterParams(s.provider);
      const terms = [...min.map((c) => `MIN(${s.q(c.name)})`), ...max.map((c) => `MAX(${s.q(c.name)})`)];
      const result = await connection.query(
        params.query(`SELECT ${terms.join(", ")}${from}${s.where(args.where, params)}`),
      );
      const values = result.rows[0] ?? [];
      const pick = (fields: string[], columns: Column[], offset: number): Row =>
        Object.fromEntries(fields.map((f, i) => [f, decode(columns[i]!, values[offset + i])]));
      return {
        _min: pick(Object.keys(args._min), min, 0),
        _max: pick(Object.keys(args._max), max, min.length),
      };
    },
  };
}

/** The model's table, id and encrypted columns from the map; throws when the map lacks them or an id type is not mapped. */
function modelSql(
  map: EncryptionMap,
  model: string,
  provider: SqlProvider,
  defaultSchema?: string,
): ModelSql {
  const info = map.models[model];
  if (info === undefined) throw new MigrateClientError(`The encryption map has no model '${model}'`);
  const table = sqlTableOf(map, model, provider);
  if (table === null) throw new MigrateMapIncompleteError(model, "database table, id or column names");
  if (info.scalarTypes === undefined) throw new MigrateMapIncompleteError(model, "scalar types");
  const columns = new Map<string, Column>();
  info.idFields.forEach((field, i) => {
    const type = info.scalarTypes?.[field];
    if (type === undefined) throw new MigrateMapIncompleteError(model, `the type of id field '${field}'`);
    if (!ID_TYPES.includes(type)) {
      throw new MigrateAdapterUnsupportedError(
        `The id field '${model}.${field}' is of type ${type}; migrating over a driver adapter supports Int, BigInt and String ids`,
      );
    }
    columns.set(field, { name: table.idColumns[i]!, type: type as FieldType });
  });
  for (const field of Object.values(info.encrypted)) {
    if (!columns.has(field.name))
      columns.set(field.name, { name: table.columns[field.name]!, type: field.type });
  }
  const schema = table.schema ?? defaultSchema;
  return { model, table: { ...table, schema }, columns };
}

/**
 * Connects a Prisma driver adapter factory and serves the engine's
 * operations over it. `close()` disposes the connection.
 *
 * Throws {@link MigrateClientError} when `factory` is not a driver adapter
 * factory, {@link MigrateAdapterUnsupportedError} for a provider other than
 * PostgreSQL, MySQL/MariaDB and SQLite; `delegate(model)` throws
 * {@link MigrateMapIncompleteError} when the map lacks the model's database
 * names (a map from an older generator) and
 * {@link MigrateAdapterUnsupportedError} for ids other than Int, BigInt and String.
 */
export async function accessAdapter(
  factory: unknown,
  map: EncryptionMap,
): Promise<MigratePrisma & { close(): Promise<void> }> {
  if (!isFactory(factory)) {
    throw new MigrateClientError(
      "`adapter` must be a Prisma driver adapter factory (e.g. new PrismaPg({ connectionString }))",
    );
  }
  const provider = dialects[factory.provider];
  if (provider === undefined) {
    throw new MigrateAdapterUnsupportedError(
      `The driver adapter's provider '${factory.provider}' is not supported`,
    );
  }
  const adapter = await factory.connect();
  const connection = new Connection(adapter, provider === "sqlite");
  // Prisma qualifies tables with the adapter's schema (PrismaPg's `schema` option) when a model names none.
  const defaultSchema = provider === "postgresql" ? adapter.getConnectionInfo?.().schemaName : undefined;
  const tables = new WeakMap<ModelDelegate, SqlTable>();

  const raw: RawSql = {
    provider,
    execute(text, params) {
      const p = new AdapterParams(provider);
      for (const value of params) p.typed(...rawArg(value));
      return connection.execute(p.query(text));
    },
    async query(text, params) {
      const p = new AdapterParams(provider);
      for (const value of params) p.typed(...rawArg(value));
      const result = await connection.query(p.query(text));
      return result.rows.map((values) =>
        Object.fromEntries(
          result.columnNames.map((name, i) => [name, rawValue(result.columnTypes[i], values[i])]),
        ),
      );
    },
  };

  return {
    delegate(model) {
      const m = modelSql(map, model, provider, defaultSchema);
      const delegate = modelDelegate(connection, m);
      tables.set(delegate, m.table);
      return delegate;
    },
    async transaction(ops) {
      if (ops.length === 0) return [];
      const queries = ops.map((op) => {
        if (!(op instanceof PendingUpdate))
          throw new MigrateInternalError("transaction() takes this path's updateMany");
        return op.query;
      });
      // One adapter transaction: all of a page's updates commit together or none does, as Prisma's batch
      // $transaction; the writer then retries each alone, which is safe as every update is conditional.
      return (await connection.transaction(queries)).map((count) => ({ count }));
    },
    raw,
    sqlTable: (delegate) => tables.get(delegate) ?? null,
    close: () => adapter.dispose(),
  };
}
