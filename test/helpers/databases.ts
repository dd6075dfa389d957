/**
 * Fresh test databases, one per test file, for SQLite, PostgreSQL and
 * MariaDB/MySQL, with the tables of prisma/schema.prisma created from
 * prisma/sql/<provider>/schema.sql through the driver (the Prisma CLI cannot
 * apply schemas offline; see shared/prisma-offline.md).
 *
 * URLs come from TEST_POSTGRES_URL / TEST_MYSQL_URL. When a server does not
 * answer, its tests are skipped with a message naming it, except under CI
 * (CI=true), where that is a failure: CI must test all three.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaPg } from "@prisma/adapter-pg";
import Database from "better-sqlite3";
import * as mariadb from "mariadb";
import pg from "pg";
import { PrismaClient as MysqlClient } from "../../prisma/generated/mysql/client/client.js";
import { PrismaClient as PostgresClient } from "../../prisma/generated/postgresql/client/client.js";
import { PrismaClient as SqliteClient } from "../../prisma/generated/sqlite/client/client.js";

export type Provider = "sqlite" | "postgresql" | "mysql";
export const allProviders: readonly Provider[] = ["sqlite", "postgresql", "mysql"];

/** The generated clients are identical but for their provider; tests use one type. */
export type TestPrismaClient = SqliteClient;

export const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
export const mysqlUrl = process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

export type Row = Record<string, unknown>;

export interface TestDatabase {
  readonly provider: Provider;
  /** Connection URL of the fresh database (a file: URL for SQLite). */
  readonly url: string;
  /** A new PrismaClient on this database (no extension). */
  client(): TestPrismaClient;
  /** A new driver adapter factory on this database (what `new PrismaClient({ adapter })` takes). */
  adapter(): PrismaBetterSqlite3 | PrismaPg | PrismaMariaDb;
  /** Quotes a table or column name for this provider. */
  q(identifier: string): string;
  /** Runs raw SQL through the driver, with `?` placeholders; returns rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Drops the database (or deletes the file) and closes connections. */
  drop(): Promise<void>;
}

const schemaSql = (provider: Provider) =>
  readFileSync(new URL(`../../prisma/sql/${provider}/schema.sql`, import.meta.url), "utf8");

function uniqueName(): string {
  return `pnk_${process.pid}_${randomBytes(4).toString("hex")}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "pnk-sqlite-"));
  const file = join(dir, "test.db");
  const raw = new Database(file);
  raw.pragma("journal_mode = WAL");
  raw.exec(schemaSql("sqlite"));
  const clients: TestPrismaClient[] = [];
  return {
    provider: "sqlite",
    url: `file:${file}`,
    client() {
      const client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
      clients.push(client);
      return client;
    },
    adapter: () => new PrismaBetterSqlite3({ url: `file:${file}` }),
    q: (identifier) => `"${identifier}"`,
    async query(sql, params = []) {
      const statement = raw.prepare(sql);
      if (statement.reader) return statement.all(...params) as Row[];
      statement.run(...params);
      return [];
    },
    async drop() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgres(): Promise<TestDatabase> {
  const name = uniqueName();
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(postgresUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(schemaSql("postgresql"));
  const clients: TestPrismaClient[] = [];
  return {
    provider: "postgresql",
    url,
    client() {
      const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) });
      clients.push(client as unknown as TestPrismaClient);
      return client as unknown as TestPrismaClient;
    },
    adapter: () => new PrismaPg({ connectionString: url }),
    q: (identifier) => `"${identifier}"`,
    async query(sql, params = []) {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      const result = await pool.query(text, params as unknown[]);
      return result.rows as Row[];
    },
    async drop() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      await pool.end();
      const cleanup = new pg.Client({ connectionString: postgresUrl });
      await cleanup.connect();
      // Drivers close their sockets asynchronously after $disconnect; a forced
      // drop would kill a socket still closing and raise an uncaught error in
      // its pool. So wait for them, and force only as a last resort.
      for (let attempt = 0; ; attempt++) {
        const open = await cleanup.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
          [name],
        );
        if (open.rows[0].n === 0 || attempt === 50) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

function mariadbConfig(url: string, database?: string): mariadb.ConnectionConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username || "root"),
    password: decodeURIComponent(parsed.password),
    database: database ?? (parsed.pathname.slice(1) || undefined),
    multipleStatements: true,
    // Raw checks compare column bytes; keep BLOBs as Buffers and BIGINTs as numbers.
    bigIntAsNumber: true,
    insertIdAsNumber: true,
  };
}

async function createMysql(): Promise<TestDatabase> {
  const name = uniqueName();
  const admin = await mariadb.createConnection(mariadbConfig(mysqlUrl));
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = withDatabase(mysqlUrl, name);
  const pool = mariadb.createPool({ ...mariadbConfig(mysqlUrl, name), connectionLimit: 4 });
  await pool.query(schemaSql("mysql"));
  const clients: TestPrismaClient[] = [];
  return {
    provider: "mysql",
    url,
    client() {
      const client = new MysqlClient({ adapter: new PrismaMariaDb(url) });
      clients.push(client as unknown as TestPrismaClient);
      return client as unknown as TestPrismaClient;
    },
    adapter: () => new PrismaMariaDb(url),
    q: (identifier) => `\`${identifier}\``,
    async query(sql, params = []) {
      const result: unknown = await pool.query(sql, params as unknown[]);
      return Array.isArray(result) ? (result as Row[]) : [];
    },
    async drop() {
      await Promise.all(clients.map((c) => c.$disconnect()));
      await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await pool.end();
    },
  };
}

/** Creates a fresh database with the test schema for `provider`. */
export function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  switch (provider) {
    case "sqlite":
      return createSqlite();
    case "postgresql":
      return createPostgres();
    case "mysql":
      return createMysql();
  }
}

/** `null` when the provider's server answers; else why not (names the service). */
export async function unavailableReason(provider: Provider): Promise<string | null> {
  try {
    if (provider === "postgresql") {
      const c = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
      await c.connect();
      await c.end();
    } else if (provider === "mysql") {
      const c = await mariadb.createConnection({ ...mariadbConfig(mysqlUrl), connectTimeout: 3000 });
      await c.end();
    }
    return null;
  } catch (error) {
    const service =
      provider === "postgresql" ? "PostgreSQL (TEST_POSTGRES_URL)" : "MariaDB/MySQL (TEST_MYSQL_URL)";
    return `${service} is not reachable: ${(error as Error).message}`;
  }
}
