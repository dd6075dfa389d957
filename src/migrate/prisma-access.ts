/**
 * The few Prisma operations the engine uses, typed narrowly so the engine
 * works with any generated client (the user's own, unextended) without
 * depending on its generated types.
 */
import { MigrateClientError } from "./errors.js";
import type { Where } from "./keyset.js";

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

export interface MigratePrisma {
  delegate(model: string): ModelDelegate;
  /** Runs the updates in one transaction (Prisma's batch `$transaction([...])`). */
  transaction(ops: Array<PromiseLike<{ count: number }>>): Promise<Array<{ count: number }>>;
}

/** Wraps a generated PrismaClient. Throws {@link MigrateClientError} when it does not look like one. */
export function accessPrisma(prisma: unknown): MigratePrisma {
  if (typeof prisma !== "object" || prisma === null)
    throw new MigrateClientError("`prisma` must be a PrismaClient");
  const client = prisma as Record<string, unknown>;
  if (typeof client.$transaction !== "function") {
    throw new MigrateClientError("`prisma` must be a PrismaClient (no $transaction)");
  }
  const $transaction = client.$transaction as (ops: unknown[]) => Promise<Array<{ count: number }>>;
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
      return delegate as ModelDelegate;
    },
    transaction: (ops) => $transaction.call(client, ops),
  };
}
