/**
 * The app's Prisma client: the generated PostgreSQL client with the
 * encryption extension. Everything else in the app sees only `AppPrisma`.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../prisma/generated/postgresql/client/client.js";
import { encryptionMap } from "../../prisma/generated/postgresql/encryption/index.js";
// An app imports these from "prisma-ncp-kms".
import { type KmsCrypto, ncpKmsEncryption } from "../../src/index.js";

/** Options of {@link createPrisma}. */
export interface CreatePrismaOptions {
  /** PostgreSQL connection URL. */
  databaseUrl: string;
  /** The KMS client, e.g. `createKmsClient({...})`; one per process, shared. */
  kms: KmsCrypto;
  /** Key tags: `default` for `/// @encrypted`, `searchable` (a convergent key) for `/// @encrypted(searchable)`. */
  keys: { default: string; searchable: string };
}

/** A PrismaClient whose marked fields are encrypted with NCP KMS. */
export function createPrisma(options: CreatePrismaOptions) {
  const base = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl }) });
  return base.$extends(ncpKmsEncryption({ map: encryptionMap, kms: options.kms, keys: options.keys }));
}

/** The extended client the routes use. */
export type AppPrisma = ReturnType<typeof createPrisma>;
