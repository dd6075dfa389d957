/**
 * The engine over a Prisma driver adapter (`runMigration({ adapter })`, no
 * generated client), against the same run through the PrismaClient: two
 * databases seeded alike, one migrated each way; the raw columns must end the
 * same way (every value on the new key version, decrypting to the original).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessAdapter } from "../../src/migrate/adapter-access.js";
import {
  type MigrateKms,
  type MigrateOptions,
  type MigrateSummary,
  runMigration,
} from "../../src/migrate/index.js";
import type { EncryptionMap, ModelInfo } from "../../src/schema/map.js";
import {
  createTestDatabase,
  type Row,
  type TestDatabase,
  type TestPrismaClient,
} from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import {
  decryptColumn,
  encryptForColumn,
  hookedKms,
  type KmsFixture,
  map,
  sampleJsonValues,
  startKms,
  versions,
} from "./fixtures.js";

const users = 120;
const audits = 75;
const plain = {
  email: Array.from({ length: users }, (_, i) => `Adapter.User+${i}@example.com`),
  phone: Array.from({ length: users }, (_, i) => (i % 5 === 0 ? null : `+82 10 ${i} 한국`)),
  notes: Array.from({ length: users }, (_, i) =>
    i % 7 === 0 ? null : sampleJsonValues[i % sampleJsonValues.length],
  ),
  avatar: Array.from({ length: users }, (_, i) =>
    i % 3 === 0 ? null : new Uint8Array([0, 255, i % 256, 0x80, 10, 13]),
  ),
  payload: Array.from({ length: audits }, (_, i) => `payload ${i}`),
  actor: Array.from({ length: audits }, (_, i) => `actor-${i % 10}`),
};
const userFields = ["email", "phone", "notes", "avatar"] as const;
type UserField = (typeof userFields)[number];

/** A raw Json column holding a ciphertext, as the field value: pg parses jsonb; the others give the JSON text. */
function jsonValue(raw: unknown): unknown {
  return typeof raw === "string" && raw.startsWith('"') ? JSON.parse(raw) : raw;
}

function counts(s: MigrateSummary) {
  const { rowsScanned, migrated, skipped, conflicted, failed, failures, status } = s;
  return { rowsScanned, migrated, skipped, conflicted, failed, failures, status };
}

describeEachProvider("migrate over a driver adapter", (provider) => {
  let viaAdapter: TestDatabase;
  let viaPrisma: TestDatabase;
  let fx: KmsFixture;
  const both = () => [viaAdapter, viaPrisma];
  // One client per database: each holds a pool, and MariaDB's connections are limited.
  const clients = new Map<TestDatabase, TestPrismaClient>();
  const app = (db: TestDatabase) => {
    if (!clients.has(db)) clients.set(db, db.client());
    return clients.get(db)!;
  };

  async function seed(db: TestDatabase, encrypted: boolean) {
    const column = async (field: UserField) => {
      const values = plain[field];
      if (!encrypted) return values;
      const present = values.filter((v) => v !== null);
      const cts = await encryptForColumn(fx, "User", field, present);
      let n = 0;
      return values.map((v) => (v === null ? null : cts[n++]));
    };
    const [email, phone, notes, avatar] = await Promise.all(userFields.map(column));
    const client = app(db);
    for (let i = 0; i < users; i++) {
      await client.user.create({
        data: {
          email: email![i] as string,
          phone: phone![i] as string | null,
          name: `plain ${i}`,
          ...(notes![i] === null ? {} : { notes: notes![i] as object }),
          ...(avatar![i] === null ? {} : { avatar: avatar![i] as Uint8Array<ArrayBuffer> }),
        },
      });
    }
    const payload = encrypted
      ? await encryptForColumn(fx, "AuditEntry", "payload", plain.payload)
      : plain.payload;
    const actor = encrypted ? await encryptForColumn(fx, "AuditEntry", "actor", plain.actor) : plain.actor;
    await client.auditEntry.createMany({
      data: Array.from({ length: audits }, (_, i) => ({
        tenant: `t${i % 3}`,
        seq: i,
        payload: payload[i] as string,
        actor: actor[i] as string,
      })),
    });
  }

  const rawUsers = (db: TestDatabase) =>
    db.query(
      `SELECT ${["id", "email", "name", "phone", "notes", "avatar"].map((c) => db.q(c)).join(", ")} FROM ${db.q("User")} ORDER BY ${db.q("id")}`,
    );
  const rawAudit = (db: TestDatabase) =>
    db.query(`SELECT * FROM ${db.q("AuditEntry")} ORDER BY ${db.q("tenant")}, ${db.q("seq")}`);
  const snapshot = async (db: TestDatabase) => ({ users: await rawUsers(db), audit: await rawAudit(db) });

  /** Every present value of every encrypted column on `version`, decrypting to the seeded plaintext. */
  async function expectOnVersion(db: TestDatabase, version: number) {
    const rows = await rawUsers(db);
    expect(rows).toHaveLength(users);
    for (const field of userFields) {
      const present = rows.flatMap((r, i) => (plain[field][i] === null ? [] : [{ r, i }]));
      const stored = present.map(({ r }) => (field === "notes" ? jsonValue(r[field]) : r[field]));
      expect(new Set(versions("User", field, stored)), `${db.provider} User.${field} versions`).toEqual(
        new Set([version]),
      );
      expect(await decryptColumn(fx, "User", field, stored), `User.${field} plaintexts`).toEqual(
        present.map(({ i }) => plain[field][i]),
      );
      for (const [i, r] of rows.entries()) if (plain[field][i] === null) expect(r[field]).toBeNull();
    }
    const audit = await rawAudit(db);
    for (const field of ["payload", "actor"] as const) {
      const stored = audit.map((a) => a[field]);
      expect(new Set(versions("AuditEntry", field, stored))).toEqual(new Set([version]));
      expect(await decryptColumn(fx, "AuditEntry", field, stored)).toEqual(
        audit.map((a) => plain[field][Number(a.seq)]),
      );
    }
  }

  function options(mode: MigrateOptions["mode"], extra: Partial<MigrateOptions> = {}) {
    return {
      map,
      kms: fx.kms,
      keys: fx.keys,
      mode,
      models: ["User", "AuditEntry"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-adapter-")),
      batchSize: 32,
      ...extra,
    };
  }
  /** The same run on both databases: over the adapter, and through the PrismaClient. */
  async function runBoth(
    mode: MigrateOptions["mode"],
    extra: (db: TestDatabase) => Partial<MigrateOptions> = () => ({}),
  ) {
    const a = await runMigration({ adapter: viaAdapter.adapter(), ...options(mode, extra(viaAdapter)) });
    const p = await runMigration({ prisma: app(viaPrisma), ...options(mode, extra(viaPrisma)) });
    expect(counts(a)).toEqual(counts(p));
    return a;
  }

  beforeAll(async () => {
    [viaAdapter, viaPrisma] = await Promise.all([createTestDatabase(provider), createTestDatabase(provider)]);
    fx = await startKms();
    for (const db of both()) await seed(db, true);
    await fx.emulator.rotateKey(fx.keys.default);
    await fx.emulator.rotateKey(fx.keys.searchable);
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await viaAdapter?.drop();
    await viaPrisma?.drop();
  });

  it("reads ids and String, Json and Bytes values exactly as the PrismaClient returns them", async () => {
    const access = await accessAdapter(viaAdapter.adapter(), map);
    try {
      const select = { id: true, email: true, phone: true, notes: true, avatar: true } as const;
      const mine = await access.delegate("User").findMany({ select, orderBy: [{ id: "asc" }], take: 40 });
      const theirs = await app(viaAdapter).user.findMany({ select, orderBy: { id: "asc" }, take: 40 });
      expect(mine).toStrictEqual(theirs);
      expect(mine.some((r) => r.avatar instanceof Uint8Array)).toBe(true);
      const auditSelect = { tenant: true, seq: true, payload: true, actor: true } as const;
      const where = { OR: [{ tenant: { gt: "t0" } }, { tenant: "t0", seq: { gt: 30 } }] };
      expect(
        await access.delegate("AuditEntry").findMany({
          where,
          select: auditSelect,
          orderBy: [{ tenant: "asc" }, { seq: "asc" }],
          take: 30,
        }),
      ).toStrictEqual(
        await app(viaAdapter).auditEntry.findMany({
          where,
          select: auditSelect,
          orderBy: [{ tenant: "asc" }, { seq: "asc" }],
          take: 30,
        }),
      );
      const agg = await access
        .delegate("AuditEntry")
        .aggregate({ _min: { seq: true }, _max: { tenant: true } });
      expect(agg).toStrictEqual({ _min: { seq: 0 }, _max: { tenant: "t2" } });
      expect(await access.delegate("User").count({ where: { id: { gte: 3, lt: 13 } } })).toBe(10);
      // The Json and Bytes conditions the writer builds match what the client's do.
      const row = theirs.find((r) => r.notes !== null && r.avatar !== null)!;
      const holds = { id: row.id, notes: { equals: row.notes }, avatar: row.avatar };
      expect(await access.delegate("User").findFirst({ where: holds, select: { id: true } })).toEqual({
        id: row.id,
      });
      const other = { ...holds, avatar: new Uint8Array([1]) };
      expect(await access.delegate("User").findFirst({ where: other, select: { id: true } })).toBeNull();
    } finally {
      await access.close();
    }
  });

  it("refuses query shapes the engine does not build, instead of translating them loosely", async () => {
    const access = await accessAdapter(viaAdapter.adapter(), map);
    try {
      const user = access.delegate("User");
      const bad: Array<Parameters<typeof user.findMany>[0]> = [
        { where: { id: { in: [1, 2] } }, select: { id: true } },
        { where: { id: { lte: 3 } }, select: { id: true } },
        { where: { notes: "x" }, select: { id: true } },
        { where: { name: "plain 1" }, select: { id: true } },
        { where: { OR: [] }, select: { id: true } },
        { where: { phone: null }, select: { id: true } },
        { select: { createdAt: true } },
        { orderBy: { id: "up" }, select: { id: true } },
      ];
      for (const args of bad)
        await expect(user.findMany(args)).rejects.toMatchObject({ code: "MIGRATE_INTERNAL" });
      expect(() => user.updateMany({ where: { id: 1 }, data: { phone: 7 } })).toThrow(/Internal error/);
    } finally {
      await access.close();
    }
  });

  it("rotate: String, Json and Bytes fields and the compound-id model end on the new version, as through the client", async () => {
    const summary = await runBoth("rotate");
    const expected =
      userFields.reduce((n, f) => n + plain[f].filter((v) => v !== null).length, 0) + audits * 2;
    expect(summary.failed).toBe(0);
    expect(summary.conflicted).toBe(0);
    expect(summary.migrated).toBe(expected);
    expect(summary.rowsScanned).toBe((users + audits) * 2);
    expect(summary.keyVersions).toEqual({ searchable: 2, default: 2 });
    for (const db of both()) await expectOnVersion(db, 2);
    // Nothing is left to do.
    const again = await runMigration({ adapter: viaAdapter.adapter(), ...options("rotate") });
    expect(again.migrated).toBe(0);
  }, 120_000);

  it("decrypt, status, encrypt and decrypt again: the same counts and the same tables as through the client", async () => {
    const decrypted = await runBoth("decrypt");
    expect(decrypted.failed).toBe(0);
    const plainTables = await snapshot(viaAdapter);
    // Byte for byte what the client's run wrote, and the seeded plaintexts.
    expect(plainTables).toEqual(await snapshot(viaPrisma));
    expect(plainTables.users.map((u) => u.email)).toEqual(plain.email);
    expect(plainTables.users.map((u) => u.phone)).toEqual(plain.phone);

    const status0 = await runBoth("status");
    expect(status0.status.find((s) => s.field === "email")).toMatchObject({ plaintext: users, rows: users });

    const encrypted = await runBoth("encrypt");
    expect(encrypted.failed).toBe(0);
    expect(encrypted.conflicted).toBe(0);
    for (const db of both()) await expectOnVersion(db, 2);

    const status1 = await runBoth("status");
    const notes = status1.status.find((s) => s.field === "notes")!;
    expect(notes).toMatchObject({
      plaintext: 0,
      undecryptable: 0,
      nulls: plain.notes.filter((n) => n === null).length,
      byVersion: { "2": plain.notes.filter((n) => n !== null).length },
    });

    await runBoth("decrypt");
    expect(await snapshot(viaAdapter)).toEqual(plainTables);
    expect(await snapshot(viaPrisma)).toEqual(plainTables);
    await runBoth("encrypt");
  }, 120_000);

  it("a duplicate in a unique searchable column is reported as DUPLICATE with its holder, as through the client", async () => {
    await fx.emulator.rotateKey(fx.keys.default);
    await fx.emulator.rotateKey(fx.keys.searchable);
    // Written under the new version, an existing email does not collide until the old row is rotated.
    const [dupEmail] = await encryptForColumn(fx, "User", "email", [plain.email[5]]);
    const dups = await Promise.all(
      both().map((db) => app(db).user.create({ data: { email: dupEmail as string } })),
    );
    expect(dups[0]!.id).toBe(dups[1]!.id);
    const summary = await runBoth("rotate", () => ({ models: ["User"] }));
    const original = (await rawUsers(viaAdapter))[5]!;
    expect(summary.failures).toEqual([
      expect.objectContaining({
        model: "User",
        field: "email",
        id: { id: Number(original.id) },
        code: "DUPLICATE",
        conflictsWith: { id: dups[0]!.id },
      }),
    ]);
    expect(summary.failed).toBe(1);
    for (const db of both()) {
      const rows = await rawUsers(db);
      expect(versions("User", "email", [rows[5]!.email])).toEqual([2]);
      await app(db).user.delete({ where: { id: dups[0]!.id } });
    }
    // With the duplicate gone, the rest (and the audit entries) rotate cleanly.
    expect((await runBoth("rotate")).failed).toBe(0);
    for (const db of both()) await expectOnVersion(db, 3);
  }, 120_000);

  it("values the app changes between the read and the write keep the app's value and count as conflicted, as through the client", async () => {
    await fx.emulator.rotateKey(fx.keys.default);
    const first = (field: UserField, from: number) =>
      Array.from({ length: 20 - from }, (_, k) => from + k).filter((i) => plain[field][i] !== null);
    const phoneRows = first("phone", 0).slice(0, 3); // String: the bulk path
    const notesRows = first("notes", 4).slice(0, 3); // Json: one conditional update each
    const avatarRows = first("avatar", 8).slice(0, 3); // Bytes
    const nulled = first("phone", 12).slice(0, 2);
    const deleted = [18, 19];
    const appNotes = await encryptForColumn(
      fx,
      "User",
      "notes",
      notesRows.map((i) => `app note ${i}`),
    );
    const appAvatars = await encryptForColumn(
      fx,
      "User",
      "avatar",
      avatarRows.map((i) => new Uint8Array([i])),
    );
    const appPhones = await encryptForColumn(
      fx,
      "User",
      "phone",
      phoneRows.map((i) => `app phone ${i}`),
    );
    const run = async (db: TestDatabase, via: "adapter" | "prisma") => {
      const client = app(db);
      const ids = (await rawUsers(db)).map((r) => Number(r.id));
      const kms = hookedKms(fx, fx.keys.default, async () => {
        // The engine has read the first page of the phone/notes/avatar pass and is about to re-encrypt it.
        for (const [k, i] of phoneRows.entries())
          await client.user.update({ where: { id: ids[i]! }, data: { phone: appPhones[k] as string } });
        for (const [k, i] of notesRows.entries())
          await client.user.update({ where: { id: ids[i]! }, data: { notes: appNotes[k] as string } });
        for (const [k, i] of avatarRows.entries())
          await client.user.update({
            where: { id: ids[i]! },
            data: { avatar: appAvatars[k] as Uint8Array<ArrayBuffer> },
          });
        await client.user.updateMany({
          where: { id: { in: nulled.map((i) => ids[i]!) } },
          data: { phone: null },
        });
        await client.user.deleteMany({ where: { id: { in: deleted.map((i) => ids[i]!) } } });
      });
      const base = {
        ...options("rotate", { models: ["User"], fields: ["User.phone", "User.notes", "User.avatar"] }),
        kms,
      };
      return via === "adapter"
        ? runMigration({ ...base, adapter: db.adapter() })
        : runMigration({ ...base, prisma: app(db) });
    };
    const before = (await rawUsers(viaAdapter)).map((r) => Number(r.id));
    const a = await run(viaAdapter, "adapter");
    const p = await run(viaPrisma, "prisma");
    expect(counts(a)).toEqual(counts(p));
    const lost = deleted.reduce(
      (n, i) => n + (["phone", "notes", "avatar"] as const).filter((f) => plain[f][i] !== null).length,
      0,
    );
    expect(a.failed).toBe(0);
    expect(a.conflicted).toBe(phoneRows.length + notesRows.length + avatarRows.length + nulled.length + lost);

    const rows = await rawUsers(viaAdapter);
    expect(rows).toHaveLength(users - deleted.length);
    const at = (i: number) => rows[i]!; // the deleted rows are the last of the first page's 20
    for (const [k, i] of phoneRows.entries()) expect(at(i).phone).toBe(appPhones[k]);
    for (const [k, i] of notesRows.entries()) expect(jsonValue(at(i).notes)).toBe(appNotes[k]);
    for (const [k, i] of avatarRows.entries())
      expect(new Uint8Array(at(i).avatar as Uint8Array)).toEqual(appAvatars[k]);
    for (const i of nulled) expect(at(i).phone).toBeNull();
    // Everything else moved to the new version.
    const changed = new Set([...phoneRows, ...notesRows, ...avatarRows, ...nulled]);
    const kept = rows.filter((r) => {
      const i = before.indexOf(Number(r.id));
      return !changed.has(i) && plain.phone[i] !== null;
    });
    expect(
      new Set(
        versions(
          "User",
          "phone",
          kept.map((r) => r.phone),
        ),
      ),
    ).toEqual(new Set([4]));
  }, 120_000);
});

describeEachProvider("migrate over a driver adapter: BigInt ids, mapped names, shards", (provider) => {
  let db: TestDatabase;
  let fx: KmsFixture;
  const schema = provider === "postgresql" ? "pnk_other" : undefined;
  const ids = [
    1n,
    2n,
    3n,
    ...Array.from({ length: 40 }, (_, k) => 9_007_199_254_740_993n + BigInt(k * 1000)),
  ];
  const secrets = ids.map((id) => `secret of ${id}`);
  const phone = map.models.User!.encrypted.phone!;
  const bigThing: ModelInfo = {
    name: "BigThing",
    dbName: "big_thing",
    ...(schema === undefined ? {} : { dbSchema: schema }),
    idFields: ["id"],
    idColumns: ["thing_id"],
    uniqueFields: [["id"]],
    compoundSelectors: {},
    // The same binding as User.phone, so the fixtures encrypt and decrypt for it.
    encrypted: { secret: { ...phone, name: "secret", dbName: "secret_col" } },
    relations: {},
    scalars: ["id", "secret"],
    scalarTypes: { id: "BigInt", secret: "String" },
    reachesEncrypted: true,
  };
  const bigMap: EncryptionMap = { ...map, models: { ...map.models, BigThing: bigThing } };
  const table = () => (schema === undefined ? db.q("big_thing") : `${db.q(schema)}.${db.q("big_thing")}`);
  const stored = async () =>
    (await db.query(`SELECT ${db.q("secret_col")} AS s FROM ${table()} ORDER BY ${db.q("thing_id")}`)).map(
      (r: Row) => r.s,
    );

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    if (schema !== undefined) await db.query(`CREATE SCHEMA ${db.q(schema)}`);
    await db.query(
      `CREATE TABLE ${table()} (${db.q("thing_id")} BIGINT PRIMARY KEY, ${db.q("secret_col")} TEXT)`,
    );
    const cts = await encryptForColumn(fx, "User", "phone", secrets);
    for (const [n, id] of ids.entries()) {
      await db.query(`INSERT INTO ${table()} (${db.q("thing_id")}, ${db.q("secret_col")}) VALUES (?, ?)`, [
        String(id),
        cts[n],
      ]);
    }
    await fx.emulator.rotateKey(fx.keys.default);
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("BigInt ids come back as exact bigints; min and max too", async () => {
    const access = await accessAdapter(db.adapter(), bigMap);
    try {
      const delegate = access.delegate("BigThing");
      const rows = await delegate.findMany({
        where: { id: { gt: ids[2]! } },
        orderBy: [{ id: "asc" }],
        take: 2,
        select: { id: true },
      });
      expect(rows).toStrictEqual([{ id: ids[3] }, { id: ids[4] }]);
      expect(await delegate.aggregate({ _min: { id: true }, _max: { id: true } })).toStrictEqual({
        _min: { id: 1n },
        _max: { id: ids.at(-1) },
      });
    } finally {
      await access.close();
    }
  });

  it("two shards rotate every row once, through the map's table, schema and column names", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "pnk-adapter-shards-"));
    const run = (index: number) =>
      runMigration({
        adapter: db.adapter(),
        map: bigMap,
        kms: fx.kms,
        keys: fx.keys,
        mode: "rotate",
        models: ["BigThing"],
        shard: { index, count: 2 },
        runId: "bigint",
        stateDir,
        batchSize: 7,
      });
    const first = await run(0);
    const second = await run(1);
    expect(first.failed + second.failed).toBe(0);
    // The boundary splits the numeric span: the three small ids fall in the first shard.
    expect(first.migrated).toBeGreaterThan(0);
    expect(second.migrated).toBeGreaterThan(0);
    expect(first.migrated + second.migrated).toBe(ids.length);
    const values = await stored();
    expect(new Set(versions("User", "phone", values))).toEqual(new Set([2]));
    expect(await decryptColumn(fx, "User", "phone", values)).toEqual(secrets);
  }, 120_000);
});

describeEachProvider("migrate over a driver adapter: option and map checks", (provider) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });
  const base = { map, kms: {} as never, keys: { default: "k", searchable: "s" }, mode: "status" as const };

  it("takes exactly one of prisma and adapter, and only a driver adapter factory", async () => {
    await expect(runMigration({ ...base })).rejects.toMatchObject({ code: "MIGRATE_INVALID_OPTION" });
    await expect(runMigration({ ...base, prisma: db.client(), adapter: db.adapter() })).rejects.toMatchObject(
      {
        code: "MIGRATE_INVALID_OPTION",
      },
    );
    await expect(runMigration({ ...base, adapter: db.client() })).rejects.toMatchObject({
      code: "MIGRATE_CLIENT",
    });
    await expect(
      runMigration({ ...base, adapter: { provider: "sqlserver", connect: async () => ({}) } }),
    ).rejects.toMatchObject({ code: "MIGRATE_ADAPTER_UNSUPPORTED" });
  });

  it("a map without database names, or an id type it does not map, is refused before any KMS call, the connection disposed", async () => {
    let disposed = 0;
    const factory = db.adapter();
    const counting = {
      provider: factory.provider,
      adapterName: factory.adapterName,
      async connect() {
        const adapter = await factory.connect();
        const dispose = adapter.dispose.bind(adapter);
        adapter.dispose = async () => {
          disposed++;
          await dispose();
        };
        return adapter;
      },
    };
    // rotate checks the keys with the KMS first thing: any call would fail the run with another error.
    const kms = new Proxy({} as MigrateKms, {
      get: () => () => Promise.reject(new Error("the KMS was called")),
    });
    const rotate = { ...base, kms, mode: "rotate" as const };
    const { dbName: _dropped, ...user } = map.models.User!;
    const old: EncryptionMap = { ...map, models: { ...map.models, User: user } };
    await expect(
      runMigration({ ...rotate, map: old, adapter: counting, models: ["User"] }),
    ).rejects.toMatchObject({
      code: "MIGRATE_MAP_INCOMPLETE",
      message: expect.stringContaining("prisma generate"),
    });
    expect(disposed).toBe(1);
    const dated: EncryptionMap = {
      ...map,
      models: {
        ...map.models,
        User: { ...map.models.User!, scalarTypes: { ...map.models.User!.scalarTypes, id: "DateTime" } },
      },
    };
    await expect(
      runMigration({ ...rotate, map: dated, adapter: counting, models: ["User"] }),
    ).rejects.toMatchObject({
      code: "MIGRATE_ADAPTER_UNSUPPORTED",
    });
    expect(disposed).toBe(2);
  });
});

describe("migrate over a driver adapter: SQLite's one connection", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    for (let i = 0; i < 60; i++) await db.query(`INSERT INTO "User" ("email") VALUES (?)`, [`e${i}`]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("a statement issued while a transaction is open waits for it: a rollback does not take it along", async () => {
    const access = await accessAdapter(db.adapter(), map);
    try {
      const user = access.delegate("User");
      const ids = (await db.query(`SELECT "id" FROM "User" ORDER BY "id"`)).map((r) => Number(r.id));
      // The second update collides with e0: the transaction rolls back, the first update with it.
      const tx = access.transaction([
        user.updateMany({ where: { id: ids[1]!, email: "e1" }, data: { email: "moved" } }),
        user.updateMany({ where: { id: ids[2]!, email: "e2" }, data: { email: "e0" } }),
      ]);
      const failed = tx.then(
        () => null,
        (error: unknown) => error,
      );
      // Writes of another page, issued one by one while the transaction runs on the same connection.
      const others: Promise<number>[] = [];
      for (const id of ids.slice(3)) {
        await null;
        others.push(access.raw!.execute(`UPDATE "User" SET "phone" = ? WHERE "id" = ?`, ["p", id]));
      }
      expect(await failed).toMatchObject({ name: "DriverAdapterError" });
      expect(await Promise.all(others)).toEqual(ids.slice(3).map(() => 1));
      const rows = await db.query(`SELECT "email", "phone" FROM "User" ORDER BY "id"`);
      expect(rows.filter((r) => r.phone === "p")).toHaveLength(ids.length - 3);
      expect(rows[1]!.email).toBe("e1");
    } finally {
      await access.close();
    }
  });
});
