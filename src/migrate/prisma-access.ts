/**
 * The few Prisma operations the engine uses, typed narrowly so the engine
 * works with any generated client (the user's own, unextended) without
 * depending on its generated types.
 */

import { ENCRYPTION_EXTENSION_NAME } from "../extension/name.js";
import type { EncryptionMap } from "../schema/map.js";
import { MigrateClientError, MigrateExtendedClientError } from "./errors.js";
import type { Where } from "./keyset.js";
import { type SqlProvider, type SqlTable, sqlTableOf } from "./sql-statements.js";

export type Row = Record<string, unknown>;

/** A model delegate (`prisma.user`), reduced to what migration needs. */
export interface ModelDelegate {
  findMany(args: {
    where?: Where;
    orderBy?: unknown;
    take?: number;
    skip?: number;
    select: Record<string, true>;
  }): Promise<Row[]>;
  findFirst(args: { where: Where; select: Record<string, true> }): Promise<Row | null>;
  updateMany(args: { where: Where; data: Record<string, unknown> }): PromiseLike<{ count: number }>;
  count(args?: { where?: Where }): Promise<number>;
  aggregate(args: {
    where?: Where;
    _min: Record<string, true>;
    _max: Record<string, true>;
  }): Promise<{ _min: Row; _max: Row }>;
}

/** Raw SQL through the same client (`$executeRawUnsafe` / `$queryRawUnsafe`, positional parameters). */
export interface RawSql {
  readonly provider: SqlProvider;
  execute(text: string, params: readonly unknown[]): Promise<number>;
  query(text: string, params: readonly unknown[]): Promise<Row[]>;
}

export interface MigratePrisma {
  delegate(model: string): ModelDelegate;
  /** Runs the updates in one transaction (Prisma's batch `$transaction([...])`). */
  transaction(ops: Array<PromiseLike<{ count: number }>>): Promise<Array<{ count: number }>>;
  /** Raw SQL, or `null` when the client has no raw API or its provider is not one the bulk path speaks. */
  readonly raw: RawSql | null;
  /** The table behind a delegate this object handed out, or `null` (no map, or the map lacks database names). */
  sqlTable(delegate: ModelDelegate): SqlTable | null;
}

const sqlProviders: readonly string[] = ["postgresql", "mysql", "sqlite"] satisfies SqlProvider[];

function rawSql(client: Record<string, unknown>): RawSql | null {
  const provider = client._activeProvider;
  const execute = client.$executeRawUnsafe;
  const query = client.$queryRawUnsafe;
  if (typeof provider !== "string" || !sqlProviders.includes(provider)) return null;
  if (typeof execute !== "function" || typeof query !== "function") return null;
  return {
    provider: provider as SqlProvider,
    execute: (text, params) =>
      (execute as (t: string, ...p: unknown[]) => Promise<number>).call(client, text, ...params),
    query: (text, params) =>
      (query as (t: string, ...p: unknown[]) => Promise<Row[]>).call(client, text, ...params),
  };
}

/**
 * Whether the client carries the encryption extension, anywhere in its
 * `$extends` chain. Reads Prisma's internal `_extensions` list (a linked list
 * of `{ extension: { name }, previous }`), pinned by a test; a client whose
 * list cannot be read is taken as unextended.
 */
export function hasEncryptionExtension(client: Record<string, unknown>): boolean {
  const list = client._extensions as { head?: unknown } | undefined;
  let node: unknown = list?.head;
  for (let depth = 0; typeof node === "object" && node !== null && depth < 1000; depth++) {
    const { extension, previous } = node as { extension?: { name?: unknown }; previous?: unknown };
    if (extension?.name === ENCRYPTION_EXTENSION_NAME) return true;
    node = previous;
  }
  return false;
}

/**
 * Wraps a generated PrismaClient. Throws {@link MigrateClientError} when it does not look like one,
 * {@link MigrateExtendedClientError} when it is extended with `ncpKmsEncryption`.
 *
 * @param map the encryption map; gives the database names the bulk write path needs. Defaults to none (Prisma writes only).
 */
export function accessPrisma(prisma: unknown, map?: EncryptionMap): MigratePrisma {
  if (typeof prisma !== "object" || prisma === null)
    throw new MigrateClientError("`prisma` must be a PrismaClient");
  const client = prisma as Record<string, unknown>;
  if (typeof client.$transaction !== "function") {
    throw new MigrateClientError("`prisma` must be a PrismaClient (no $transaction)");
  }
  if (hasEncryptionExtension(client)) throw new MigrateExtendedClientError();
  const $transaction = client.$transaction as (ops: unknown[]) => Promise<Array<{ count: number }>>;
  const raw = rawSql(client);
  // Prisma builds a new delegate object on every property read; the engine keeps the one it got.
  const tables = new WeakMap<ModelDelegate, SqlTable>();
  return {
    delegate(model) {
      const name = model.charAt(0).toLowerCase() + model.slice(1);
      const delegate = client[name];
      if (
        typeof delegate !== "object" ||
        delegate === null ||
        typeof (delegate as Row).findMany !== "function"
      ) {
        throw new MigrateClientError(`The PrismaClient has no model '${model}' (expected prisma.${name})`);
      }
      const table = raw === null ? null : sqlTableOf(map, model, raw.provider);
      if (table !== null) tables.set(delegate as ModelDelegate, table);
      return delegate as ModelDelegate;
    },
    transaction: (ops) => $transaction.call(client, ops),
    raw,
    sqlTable: (delegate) => tables.get(delegate) ?? null,
  };
}
