import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, expect, it } from "vitest";
import { runMigration } from "../../src/migrate/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import {
  decryptColumn,
  encryptForColumn,
  type KmsFixture,
  map,
  seedStaleUsers,
  startKms,
  versions,
} from "./fixtures.js";

describeEachProvider("migrate: faults, bad rows and duplicates", (provider) => {
  const total = 400;
  let db: TestDatabase | undefined;
  let fx: KmsFixture | undefined;
  const emails = Array.from({ length: total }, (_, i) => `f${i}@example.com`);
  const phones = Array.from({ length: total }, (_, i) => `ph-${i}`);

  // A fresh table and emulator per test: rows on v1, keys rotated to v2.
  beforeEach(async () => {
    await fx?.close();
    await db?.drop();
    db = await createTestDatabase(provider);
    fx = await startKms();
    await seedStaleUsers(db, fx, emails, phones);
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  const rotate = () =>
    runMigration({
      prisma: db!.client(),
      map,
      kms: fx!.kms,
      keys: fx!.keys,
      mode: "rotate",
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-faults-")),
      batchSize: 50,
    });

  /** Every row holds a whole, decryptable value: the original, on the old or the new version. */
  async function expectNoPartialRow() {
    const rows = await db!
      .client()
      .user.findMany({ orderBy: { id: "asc" }, select: { email: true, phone: true } });
    expect(rows).toHaveLength(total);
    expect(
      await decryptColumn(
        fx!,
        "User",
        "email",
        rows.map((r) => r.email),
      ),
    ).toEqual(emails);
    expect(
      await decryptColumn(
        fx!,
        "User",
        "phone",
        rows.map((r) => r.phone),
      ),
    ).toEqual(phones);
    return rows;
  }

  it("server errors and dropped connections mid-run are retried; nothing is half-written", async () => {
    fx!.emulator.faults.failFraction(0.3, { status: 500 });
    fx!.emulator.faults.dropNext(3);
    const summary = await rotate();
    fx!.emulator.faults.clear();
    expect(fx!.kms.counters().retries).toBeGreaterThan(0);
    const rows = await expectNoPartialRow();
    // Retried or reported: every value is either migrated or listed as failed, and the failed ones are untouched.
    expect(summary.migrated + summary.failed).toBe(total * 2);
    const stale =
      versions(
        "User",
        "email",
        rows.map((r) => r.email),
      ).filter((v) => v === 1).length +
      versions(
        "User",
        "phone",
        rows.map((r) => r.phone),
      ).filter((v) => v === 1).length;
    expect(stale).toBe(summary.failed);
  });

  it("a KMS outage longer than the retries fails those values, reports them by id, and a re-run finishes", async () => {
    fx!.emulator.faults.failNext(1_000, { status: 503, action: "re-encrypt" });
    const summary = await rotate();
    fx!.emulator.faults.clear();
    expect(summary.failed).toBe(total * 2);
    expect(summary.failures[0]).toMatchObject({ model: "User", id: { id: expect.any(Number) } });
    expect(JSON.stringify(summary.failures)).not.toContain("@example.com");
    const rows = await expectNoPartialRow();
    expect(
      new Set(
        versions(
          "User",
          "phone",
          rows.map((r) => r.phone),
        ),
      ),
    ).toEqual(new Set([1]));
    const rerun = await rotate();
    expect(rerun.failed).toBe(0);
    expect(rerun.migrated).toBe(total * 2);
  });

  it("a tampered ciphertext fails only its own value, reported with model, field, id and a decrypt code", async () => {
    const app = db!.client();
    const victim = await app.user.findFirstOrThrow({ where: {}, orderBy: { id: "asc" }, skip: 10 });
    const ct = victim.phone!;
    const tampered = `${ct.slice(0, -6)}${ct.slice(-6, -5) === "A" ? "B" : "A"}${ct.slice(-5)}`;
    await app.user.update({ where: { id: victim.id }, data: { phone: tampered } });
    const summary = await rotate();
    expect(summary.failed).toBe(1);
    expect(summary.failures).toEqual([
      expect.objectContaining({
        model: "User",
        field: "phone",
        id: { id: victim.id },
        // Not KMS_BAD_REQUEST: the README sends that one to "is the searchable key convergent?".
        code: "DECRYPTION_FAILED",
      }),
    ]);
    expect(summary.migrated).toBe(total * 2 - 1);
    const after = await app.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(after.phone).toBe(tampered);
    // status finds it too, without writing anything.
    const status = await runMigration({
      prisma: app,
      map,
      kms: fx!.kms,
      keys: fx!.keys,
      mode: "status",
      fields: ["User.phone"],
    });
    expect(status.status).toEqual([
      expect.objectContaining({
        field: "phone",
        rows: total,
        undecryptable: 1,
        byVersion: { "1": 1, "2": total - 1 },
      }),
    ]);
  });

  it("a duplicate that slipped into a unique searchable column during the window is reported, not forced", async () => {
    // After the rotation, the app inserted a second row with an existing email: under v2 its
    // ciphertext differs from the v1 one, so the unique index did not catch it.
    const app = db!.client();
    const [dupEmail] = await encryptForColumn(fx!, "User", "email", [emails[5]]);
    const dup = await app.user.create({ data: { email: dupEmail as string } });
    const summary = await rotate();
    const original = await app.user.findFirstOrThrow({ where: {}, orderBy: { id: "asc" }, skip: 5 });
    expect(summary.failures).toEqual([
      expect.objectContaining({
        model: "User",
        field: "email",
        id: { id: original.id },
        code: "DUPLICATE",
        conflictsWith: { id: dup.id },
      }),
    ]);
    expect(versions("User", "email", [original.email])).toEqual([1]);
  });
});
