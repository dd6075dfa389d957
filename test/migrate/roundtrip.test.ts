import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMigration } from "../../src/migrate/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { decryptColumn, type KmsFixture, map, sampleJsonValues, startKms, versions } from "./fixtures.js";

describeEachProvider("migrate encrypt → decrypt", (provider) => {
  const users = 300;
  let db: TestDatabase;
  let fx: KmsFixture;
  let stateDir: string;
  const notes = sampleJsonValues;

  const expectedUsers = Array.from({ length: users }, (_, i) => ({
    email: `Round.Trip+${i}@example.com`,
    phone: i % 5 === 0 ? null : `+82 10 ${i} 한국`,
    notes: i % 7 === 0 ? undefined : notes[i % notes.length],
    avatar: i % 3 === 0 ? undefined : new Uint8Array([0, 255, i % 256, 0x80, 10, 13]),
  }));

  const snapshot = async () => ({
    users: await db.query(`SELECT * FROM ${db.q("User")} ORDER BY ${db.q("id")}`),
    audit: await db.query(`SELECT * FROM ${db.q("AuditEntry")} ORDER BY ${db.q("tenant")}, ${db.q("seq")}`),
  });
  const run = (mode: "encrypt" | "decrypt" | "status", extra: { dryRun?: boolean } = {}) =>
    runMigration({
      prisma: db.client(),
      map,
      kms: fx.kms,
      keys: fx.keys,
      mode,
      models: ["User", "AuditEntry"],
      stateDir,
      batchSize: 64,
      ...extra,
    });

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    stateDir = mkdtempSync(join(tmpdir(), "pnk-roundtrip-"));
    const app = db.client();
    for (const u of expectedUsers) {
      await app.user.create({
        data: {
          email: u.email,
          phone: u.phone,
          name: "plain name",
          ...(u.notes === undefined ? {} : { notes: u.notes as object }),
          ...(u.avatar === undefined ? {} : { avatar: u.avatar }),
        },
      });
    }
    await app.auditEntry.createMany({
      data: Array.from({ length: 150 }, (_, i) => ({
        tenant: `t${i % 3}`,
        seq: i,
        payload: `payload ${i}`,
        actor: `actor-${i % 10}`,
      })),
    });
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("dry run counts the work, calls no crypto action and writes nothing", async () => {
    const before = await snapshot();
    fx.emulator.resetStats();
    const summary = await run("encrypt", { dryRun: true });
    const nonNull = expectedUsers.reduce(
      (n, u) =>
        n +
        1 +
        (u.phone === null ? 0 : 1) +
        (u.notes === undefined ? 0 : 1) +
        (u.avatar === undefined ? 0 : 1),
      0,
    );
    expect(summary.migrated).toBe(nonNull + 150 * 2);
    expect(summary.dryRun).toBe(true);
    expect(fx.emulator.stats().requests).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(summary.checkpoints).toEqual([]);
  });

  it("encrypt writes what the extension would write; decrypt restores the table byte for byte", async () => {
    const before = await snapshot();
    const status0 = await run("status");
    const email0 = status0.status.find((s) => s.model === "User" && s.field === "email")!;
    expect(email0.plaintext).toBe(users);

    const encrypted = await run("encrypt");
    expect(encrypted.failed).toBe(0);
    expect(encrypted.conflicted).toBe(0);
    const app = db.client();
    const rows = await app.user.findMany({ orderBy: { id: "asc" } });
    for (const field of ["email", "phone", "notes", "avatar"] as const) {
      const present = rows.filter(
        (_, i) => expectedUsers[i]![field] !== null && expectedUsers[i]![field] !== undefined,
      );
      const stored = present.map((r) => r[field]);
      expect(new Set(versions("User", field, stored))).toEqual(new Set([1]));
      const want = expectedUsers.map((u) => u[field]).filter((v) => v !== null && v !== undefined);
      expect(await decryptColumn(fx, "User", field, stored)).toEqual(want);
    }
    const audit = await app.auditEntry.findMany({ orderBy: [{ tenant: "asc" }, { seq: "asc" }] });
    expect(
      await decryptColumn(
        fx,
        "AuditEntry",
        "actor",
        audit.map((a) => a.actor),
      ),
    ).toEqual(audit.map((a) => `actor-${a.seq % 10}`));
    // Searchable (convergent) column: equal plaintexts in the column give equal ciphertexts.
    expect(new Set(audit.map((a) => a.actor)).size).toBe(10);

    const again = await run("encrypt");
    expect(again.migrated).toBe(0);

    const status1 = await run("status");
    const notes1 = status1.status.find((s) => s.field === "notes")!;
    expect(notes1.byVersion).toEqual({ "1": users - Math.ceil(users / 7) });
    expect(notes1.undecryptable).toBe(0);
    expect(notes1.plaintext).toBe(0);

    const decrypted = await run("decrypt");
    expect(decrypted.failed).toBe(0);
    expect(await snapshot()).toEqual(before);
  }, 120_000);
});
