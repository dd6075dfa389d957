/**
 * The SQL files under prisma/sql/ must create exactly the tables and columns
 * that prisma/schema.prisma describes, on every provider: this test fails
 * when the schema and the SQL drift apart. It also proves the offline set-up
 * end to end: the generated client writes and reads through its driver
 * adapter on each database.
 */

import { readFileSync } from "node:fs";
import internals from "@prisma/internals";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";

/** Scalar columns per model, from the generated client (relations excluded). */
async function expectedColumns(): Promise<Map<string, string[]>> {
  const datamodel = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
  const dmmf = await internals.getDMMF({ datamodel });
  const columns = new Map<string, string[]>();
  // Implicit many-to-many relations get a join table with columns A and B.
  columns.set("_UserGroups", ["A", "B"]);
  columns.set("_PostTags", ["A", "B"]);
  for (const model of dmmf.datamodel.models) {
    columns.set(
      model.name,
      model.fields.filter((f) => f.kind !== "object").map((f) => f.name),
    );
  }
  return columns;
}

describeEachProvider("schema SQL matches schema.prisma", (provider) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("has every model's columns and no others", async () => {
    for (const [model, fields] of await expectedColumns()) {
      const rows = await db.query(`SELECT * FROM ${db.q(model)} WHERE 1 = 0`);
      expect(rows).toEqual([]);
      const columns = await columnNames(db, model);
      expect(columns.sort(), model).toEqual([...fields].sort());
    }
  });

  it("round-trips a nested write through the generated client and adapter", async () => {
    const prisma = db.client();
    const user = await prisma.user.create({
      data: { email: "a@example.com", posts: { create: { title: "t", slug: "s" } }, profile: { create: {} } },
      include: { posts: true, profile: true },
    });
    expect(user.posts).toHaveLength(1);
    const raw = await db.query(
      `SELECT ${db.q("email")} AS email FROM ${db.q("User")} WHERE ${db.q("id")} = ?`,
      [user.id],
    );
    expect(raw[0]?.email).toBe("a@example.com");
  });
});

async function columnNames(db: TestDatabase, table: string): Promise<string[]> {
  if (db.provider === "sqlite") {
    const rows = await db.query(`SELECT name FROM pragma_table_info(?)`, [table]);
    return rows.map((r) => String(r.name));
  }
  const schemaFilter = db.provider === "postgresql" ? "table_schema = 'public'" : "table_schema = DATABASE()";
  const rows = await db.query(
    `SELECT column_name AS name FROM information_schema.columns WHERE ${schemaFilter} AND table_name = ?`,
    [table],
  );
  return rows.map((r) => String(r.name));
}
