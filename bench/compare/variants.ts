/**
 * The clients compared, each its own PrismaClient on the same database:
 * `plain` (no extension), `ours` (ncpKmsEncryption against the emulator,
 * its cache on as by default), `oursNoCache` (the same with `cache: false`)
 * and `pfe` (prisma-field-encryption, local AES-GCM).
 */
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
import { ncpKmsEncryption } from "../../src/extension/index.js";
import { createKmsCache, type KmsCache } from "../../src/field-crypto/cache/index.js";
import type { EncryptionMap } from "../../src/schema/map.js";
import type { TestDatabase } from "../../test/helpers/databases.js";
import type { BenchKms } from "./kms-setup.js";
import { createPfeExtension } from "./pfe.js";

export type VariantName = "plain" | "ours" | "oursNoCache" | "pfe";
export const variantNames: readonly VariantName[] = ["plain", "ours", "oursNoCache", "pfe"];

/** The variants that go through this library (and the KMS). */
export const isOurs = (variant: VariantName): boolean => variant === "ours" || variant === "oursNoCache";

export interface UserInput {
  email: string;
  phone: string | null;
  name: string;
}

export interface UserRow {
  id: number;
  email: string;
  phone: string | null;
}

export interface PlainInput {
  label: string;
  value: number;
}

/**
 * The slice of a Prisma client the workloads use. The three clients have
 * different (extended) types; each is viewed through this one.
 */
export interface BenchClient {
  user: {
    create(args: { data: UserInput; select: { id: true } }): Promise<{ id: number }>;
    createMany(args: { data: UserInput[] }): Promise<{ count: number }>;
    findMany(args: {
      select: { id: true; email: true; phone: true };
      where?: { id: { gte: number } };
      orderBy?: { id: "asc" };
      take?: number;
    }): Promise<UserRow[]>;
    findMany(args: { select: { id: true }; orderBy: { id: "asc" } }): Promise<Array<{ id: number }>>;
    findUnique(args: {
      where: { email: string } | { id: number };
      select: { id: true; email: true; phone: true };
    }): Promise<UserRow | null>;
  };
  plain: {
    create(args: { data: PlainInput; select: { id: true } }): Promise<{ id: number }>;
    findMany(): Promise<Array<{ id: number; label: string; value: number }>>;
  };
}

export type Variants = Readonly<Record<VariantName, BenchClient>> & {
  /** The cache behind `ours` (default options), for hit rates and to start a workload cold. */
  readonly cache: KmsCache;
};

export async function createVariants(db: TestDatabase, kms: BenchKms): Promise<Variants> {
  const map = encryptionMap as EncryptionMap;
  const cache = createKmsCache();
  const ours = db.client().$extends(ncpKmsEncryption({ map, kms: kms.client, keys: kms.keys, cache }));
  const oursNoCache = db
    .client()
    .$extends(ncpKmsEncryption({ map, kms: kms.client, keys: kms.keys, cache: false }));
  const pfe = db.client().$extends(await createPfeExtension());
  return {
    plain: db.client() as unknown as BenchClient,
    ours: ours as unknown as BenchClient,
    oursNoCache: oursNoCache as unknown as BenchClient,
    pfe: pfe as unknown as BenchClient,
    cache,
  };
}
