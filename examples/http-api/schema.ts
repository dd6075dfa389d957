/**
 * Creates the tables on first start, so the example runs against an empty
 * database. A real app runs `prisma migrate deploy` instead.
 */
import { readFileSync } from "node:fs";
import pg from "pg";

/** Applies `prisma/sql/postgresql/schema.sql` unless a `User` table exists; returns whether it did. */
export async function ensureSchema(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const existing = await client.query<{ table: string | null }>(
      `SELECT to_regclass('public."User"')::text AS "table"`,
    );
    if (existing.rows[0]?.table != null) return false;
    const sql = readFileSync(new URL("../../prisma/sql/postgresql/schema.sql", import.meta.url), "utf8");
    await client.query(sql);
    return true;
  } finally {
    await client.end();
  }
}
