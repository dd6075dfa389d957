/**
 * The `--config` module the CLI tests spawn `prisma-ncp-kms migrate` with:
 * the generated client for TEST_MIGRATE_PROVIDER on TEST_MIGRATE_DB_URL.
 * Keys and KMS settings come from the environment (NCP_KMS_KEYS, NCP_*),
 * as they would for a user.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as MysqlClient } from "../../prisma/generated/mysql/client/client.js";
import { PrismaClient as PostgresClient } from "../../prisma/generated/postgresql/client/client.js";
import { PrismaClient as SqliteClient } from "../../prisma/generated/sqlite/client/client.js";
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";

const url = process.env.TEST_MIGRATE_DB_URL ?? "";

export function prisma(): unknown {
  switch (process.env.TEST_MIGRATE_PROVIDER) {
    case "postgresql":
      return new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) });
    case "mysql":
      return new MysqlClient({ adapter: new PrismaMariaDb(url) });
    default:
      return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url }) });
  }
}

export const map = encryptionMap;
