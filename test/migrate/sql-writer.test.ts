import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runMigration } from "../../src/migrate/index.js";
import { type FieldTarget, selectTargets } from "../../src/migrate/plan.js";
import { accessPrisma, type ModelDelegate } from "../../src/migrate/prisma-access.js";
import { caseUpdate, readBack, type SqlTable, writesPerStatement } from "../../src/migrate/sql-statements.js";
import { type PendingWrite, writePage } from "../../src/migrate/writer.js";
import { createTestDatabase, type TestDatabase, type TestPrismaClient } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { expectUsersOnVersion, type KmsFixture, map, seedStaleUsers, startKms } from "./fixtures.js";

/** Statements the client sent, counted on a proxy around the real client (nothing is faked). */
interface Counts {
  bulkUpdates: number;
  prismaUpdates: number;
}

function countingClient(client: TestPrismaClient, counts: Counts): unknown {
  const wrapDelegate = (delegate: object) =>
    new Proxy(delegate, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (prop === "updateMany" && typeof value === "function") {
          return (...args: unknown[]) => {
            counts.prismaUpdates++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === "$executeRawUnsafe" && typeof value === "function") {
        return (...args: unknown[]) => {
          if (String(args[0]).startsWith("UPDATE")) counts.bulkUpdates++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (typeof value === "function") return value.bind(target);
      if (
        typeof prop === "string" &&
        !prop.startsWith("$") &&
        !prop.startsWith("_") &&
        typeof value === "object" &&
        value !== null
      )
        return wrapDelegate(value);
      return value;
    },
  });
}

const fakeKeys = { default: "default-tag", searchable: "searchable-tag" };
function fieldOf(model: string, field: string): FieldTarget {
  const target = selectTargets(map, fakeKeys, { models: [model] })[0]!;
  return target.fields.find((f) => f.name === field)!;
}

describeEachProvider("migrate writer: one bulk conditional UPDATE per page and field", (provider) => {
  let db: TestDatabase;
  let app: TestPrismaClient;
  const counts: Counts = { bulkUpdates: 0, prismaUpdates: 0 };
  const q = (name: string) => db.q(name);

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    app = db.client();
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    counts.bulkUpdates = 0;
    counts.prismaUpdates = 0;
  });

  function writer() {
    const prisma = accessPrisma(countingClient(db.client(), counts), map);
    return { prisma, delegate: (model: string): ModelDelegate => prisma.delegate(model) };
  }

  it("writes the page in one statement per String field; rows the app changed meanwhile keep its value", async () => {
    await app.user.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({ email: `e-${i}`, phone: `p-${i}`, notes: { n: i } })),
    });
    const rows = await app.user.findMany({
      orderBy: { id: "asc" },
      select: { id: true, phone: true, notes: true },
    });
    // The app writes after our read: 5 phones changed, 1 nulled, 1 row deleted.
    const changed = rows.slice(3, 8).map((r) => r.id);
    const nulled = rows[10]!.id;
    const deleted = rows[20]!.id;
    for (const id of changed)
      await db.query(`UPDATE ${q("User")} SET ${q("phone")} = ? WHERE ${q("id")} = ?`, [`app-${id}`, id]);
    await db.query(`UPDATE ${q("User")} SET ${q("phone")} = NULL WHERE ${q("id")} = ?`, [nulled]);
    await db.query(`DELETE FROM ${q("User")} WHERE ${q("id")} = ?`, [deleted]);

    const phone = fieldOf("User", "phone");
    const notes = fieldOf("User", "notes");
    const writes: PendingWrite[] = rows.flatMap((row) => [
      { row, field: phone, stored: row.phone, value: `new-${row.id}` },
      { row, field: notes, stored: row.notes, value: { n: `new-${row.id}` } },
    ]);
    const { prisma, delegate } = writer();
    const outcomes = await writePage(prisma, delegate("User"), ["id"], writes);

    expect(counts.bulkUpdates).toBe(1); // all 60 phones in one UPDATE
    expect(counts.prismaUpdates).toBe(60); // Json keeps the Prisma path
    const conflictedPhones = new Set([...changed, nulled, deleted]);
    outcomes.forEach((outcome, n) => {
      const w = writes[n]!;
      const id = w.row.id as number;
      const expected =
        id === deleted || (w.field === phone && conflictedPhones.has(id)) ? "conflicted" : "written";
      expect(outcome, `${w.field.name} of ${id}`).toEqual({ kind: expected });
    });
    const now = await db.query(
      `SELECT ${q("id")} AS id, ${q("phone")} AS phone FROM ${q("User")} ORDER BY ${q("id")}`,
    );
    expect(now).toHaveLength(59);
    for (const r of now) {
      const id = Number(r.id);
      if (changed.includes(id)) expect(r.phone).toBe(`app-${id}`);
      else if (id === nulled) expect(r.phone).toBeNull();
      else expect(r.phone).toBe(`new-${id}`);
    }
  });

  it("compound ids (String + Int): each write lands on its own row only", async () => {
    // Same seq under several tenants and same tenant under several seqs: a mixed-up pairing would show.
    const data = ["t-a", "t-b", "t-c"].flatMap((tenant) =>
      [1, 2, 3, 4].map((seq) => ({
        tenant,
        seq,
        payload: `old-${tenant}-${seq}`,
        actor: `actor-${tenant}-${seq}`,
      })),
    );
    await app.auditEntry.createMany({ data });
    await db.query(
      `UPDATE ${q("AuditEntry")} SET ${q("payload")} = ? WHERE ${q("tenant")} = ? AND ${q("seq")} = ?`,
      ["app-wrote", "t-b", 2],
    );
    const payload = fieldOf("AuditEntry", "payload");
    // t-c rows are not in the page: they must stay as they are.
    const rows = data.filter((d) => d.tenant !== "t-c");
    const writes: PendingWrite[] = rows.map((row) => ({
      row,
      field: payload,
      stored: row.payload,
      value: `new-${row.tenant}-${row.seq}`,
    }));
    const { prisma, delegate } = writer();
    const outcomes = await writePage(prisma, delegate("AuditEntry"), ["tenant", "seq"], writes);

    expect(counts.bulkUpdates).toBe(1);
    expect(counts.prismaUpdates).toBe(0);
    expect(outcomes.map((o, n) => `${writes[n]!.row.tenant}/${writes[n]!.row.seq}:${o.kind}`)).toEqual(
      rows.map((r) => `${r.tenant}/${r.seq}:${r.tenant === "t-b" && r.seq === 2 ? "conflicted" : "written"}`),
    );
    const now = await db.query(
      `SELECT ${q("tenant")} AS tenant, ${q("seq")} AS seq, ${q("payload")} AS payload FROM ${q("AuditEntry")}`,
    );
    expect(now).toHaveLength(12);
    for (const r of now) {
      const expected =
        r.tenant === "t-c"
          ? `old-t-c-${r.seq}`
          : r.tenant === "t-b" && Number(r.seq) === 2
            ? "app-wrote"
            : `new-${r.tenant}-${r.seq}`;
      expect(r.payload, `${r.tenant}/${r.seq}`).toBe(expected);
    }
  });

  it("a unique collision falls back to one update per value: only the culprit fails, as DUPLICATE", async () => {
    await app.group.deleteMany();
    await app.user.deleteMany();
    await app.user.createMany({ data: Array.from({ length: 10 }, (_, i) => ({ email: `u-${i}` })) });
    const rows = await app.user.findMany({ orderBy: { id: "asc" }, select: { id: true, email: true } });
    const email = fieldOf("User", "email");
    // Row 4's new value is what row 9 (not in the page) holds: the unique index refuses it.
    const page = rows.slice(0, 5);
    const writes: PendingWrite[] = page.map((row, n) => ({
      row,
      field: email,
      stored: row.email,
      value: n === 4 ? rows[9]!.email : `v2-${row.email}`,
    }));
    const { prisma, delegate } = writer();
    const outcomes = await writePage(prisma, delegate("User"), ["id"], writes);

    expect(counts.bulkUpdates).toBe(1);
    expect(counts.prismaUpdates).toBe(5); // the fallback
    expect(outcomes.slice(0, 4)).toEqual(Array.from({ length: 4 }, () => ({ kind: "written" })));
    expect(outcomes[4]).toEqual({ kind: "failed", code: "DUPLICATE", conflictsWith: { id: rows[9]!.id } });
    const now = await app.user.findMany({ orderBy: { id: "asc" }, select: { email: true } });
    expect(now.map((r) => r.email)).toEqual([
      ...page.slice(0, 4).map((r) => `v2-${r.email}`),
      ...rows.slice(4).map((r) => r.email),
    ]);
  });
  // Prisma emits @@schema for PostgreSQL; MySQL's equivalent is another
  // database on the same server, which the same qualified name reaches.
  if (provider !== "sqlite") {
    it("a model in another schema (@@schema): UPDATE and read-back hit that schema's table, not the default one", async () => {
      const other = provider === "postgresql" ? "nkms_other" : `${new URL(db.url).pathname.slice(1)}_other`;
      const qo = `${q(other)}.${q("User")}`;
      await db.query(provider === "postgresql" ? `CREATE SCHEMA ${q(other)}` : `CREATE DATABASE ${q(other)}`);
      try {
        await db.query(`CREATE TABLE ${qo} (${q("id")} INTEGER PRIMARY KEY, ${q("phone")} TEXT)`);
        await db.query(`INSERT INTO ${qo} (${q("id")}, ${q("phone")}) VALUES (9001, 'old')`);
        await db.query(
          `INSERT INTO ${q("User")} (${q("id")}, ${q("email")}, ${q("phone")}) VALUES (9001, 'schema@x', 'old')`,
        );
        const raw = accessPrisma(db.client(), map).raw!;
        const table: SqlTable = {
          provider,
          schema: other,
          table: "User",
          idColumns: ["id"],
          columns: { phone: "phone" },
        };
        const update = caseUpdate(table, "phone", [{ ids: [9001], old: "old", value: "new" }]);
        expect(await raw.execute(update.text, update.params)).toBe(1);
        const back = readBack(table, "phone", [[9001]]);
        expect((await raw.query(back.text, back.params)).map((r) => r.v)).toEqual(["new"]);
        expect(await db.query(`SELECT ${q("phone")} AS v FROM ${q("User")} WHERE ${q("id")} = 9001`)).toEqual(
          [{ v: "old" }],
        );
      } finally {
        await db.query(
          provider === "postgresql" ? `DROP SCHEMA ${q(other)} CASCADE` : `DROP DATABASE ${q(other)}`,
        );
      }
    });
  }
});

describeEachProvider("migrate rotate takes the bulk path", (provider) => {
  let db: TestDatabase;
  let fx: KmsFixture;
  const total = 120;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    const emails = Array.from({ length: total }, (_, i) => `bulk${i}@example.com`);
    await seedStaleUsers(db, fx, emails, emails);
  }, 60_000);
  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("one UPDATE per page and field, no per-value updates", async () => {
    const counts: Counts = { bulkUpdates: 0, prismaUpdates: 0 };
    const summary = await runMigration({
      prisma: countingClient(db.client(), counts),
      map,
      kms: fx.kms,
      keys: fx.keys,
      mode: "rotate",
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-bulk-")),
      batchSize: 50,
    });
    expect(summary.migrated).toBe(2 * total);
    expect(summary.failed + summary.conflicted).toBe(0);
    expect(counts).toEqual({ bulkUpdates: 3 * 2, prismaUpdates: 0 }); // 3 pages × (email, phone)
    const rows = await db.client().user.findMany({ select: { email: true, phone: true } });
    await expectUsersOnVersion(fx, rows, 2);
  });
});

describe("migrate writer: a page above the statement size [sqlite]", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("is split into several statements, every write lands", async () => {
    const counts: Counts = { bulkUpdates: 0, prismaUpdates: 0 };
    const prisma = accessPrisma(countingClient(db.client(), counts), map);
    const delegate = prisma.delegate("AuditEntry");
    const limit = writesPerStatement(prisma.sqlTable(delegate)!);
    const data = Array.from({ length: limit + 10 }, (_, i) => ({
      tenant: `t${i % 7}`,
      seq: i,
      payload: `old-${i}`,
      actor: "a",
    }));
    await db.client().auditEntry.createMany({ data });
    const payload = fieldOf("AuditEntry", "payload");
    const writes = data.map((row) => ({ row, field: payload, stored: row.payload, value: `new-${row.seq}` }));
    const outcomes = await writePage(prisma, delegate, ["tenant", "seq"], writes);
    expect(counts.bulkUpdates).toBe(2);
    expect(outcomes.every((o) => o.kind === "written")).toBe(true);
    const stale = await db.query(`SELECT count(*) AS n FROM "AuditEntry" WHERE "payload" NOT LIKE 'new-%'`);
    expect(Number(stale[0]!.n)).toBe(0);
  });
});
