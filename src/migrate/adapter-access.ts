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
  AdapterParams,
  type AdapterTransaction,
  type Column,
  decode,
  dialects,
  encode,
  type FieldType,
  ID_TYPES,
  type ModelSql,
  ModelStatements,
  rawArg,
  rawValue,
  rowsOf,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
} from "./adapter-sql.js";
import {
  MigrateAdapterUnsupportedError,
  MigrateClientError,
  MigrateInternalError,
  MigrateMapIncompleteError,
} from "./errors.js";
import type { MigratePrisma, ModelDelegate, RawSql, Row } from "./prisma-access.js";
import { type SqlProvider, type SqlTable, sqlTableOf, tableName } from "./sql-statements.js";

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
