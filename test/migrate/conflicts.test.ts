import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMigration } from "../../src/migrate/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import {
  decryptColumn,
  encryptForColumn,
  hookedKms,
  type KmsFixture,
  map,
  seedStaleUsers,
  startKms,
  versions,
} from "./fixtures.js";

describeEachProvider("migrate: concurrent app writes win", (provider) => {
  const total = 600;
  let db: TestDatabase;
  let fx: KmsFixture;
  const emails = Array.from({ length: total }, (_, i) => `c${i}@example.com`);
  const phones = Array.from({ length: total }, (_, i) => `phone-${i}`);

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    await seedStaleUsers(db, fx, emails, phones);
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("rows the app changes between our read and our write keep the app's value and count as conflicted", async () => {
    const app = db.client();
    const ids = (await app.user.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id);
    const rewritten = ids.slice(0, 20);
    const nulled = ids.slice(20, 30);
    const deleted = ids.slice(30, 35);
    const appPhones = rewritten.map((id) => `app-wrote-${id}`);
    let appCiphertexts: unknown[] = [];
    const kms = hookedKms(fx, fx.keys.default, async () => {
      // The engine has read the first page and is about to re-encrypt it: the app writes now.
      appCiphertexts = await encryptForColumn(fx, "User", "phone", appPhones);
      for (const [n, id] of rewritten.entries()) {
        await app.user.update({ where: { id }, data: { phone: appCiphertexts[n] as string } });
      }
      await app.user.updateMany({ where: { id: { in: nulled } }, data: { phone: null } });
      await app.user.deleteMany({ where: { id: { in: deleted } } });
    });
    const summary = await runMigration({
      prisma: db.client(),
      map,
      kms,
      keys: fx.keys,
      mode: "rotate",
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-conflict-")),
      batchSize: 100,
    });
    expect(summary.failed).toBe(0);
    // 20 rewritten + 10 nulled + 5 deleted phones were not overwritten.
    expect(summary.conflicted).toBe(35);

    const rows = await app.user.findMany({
      orderBy: { id: "asc" },
      select: { id: true, email: true, phone: true },
    });
    expect(rows).toHaveLength(total - deleted.length);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [n, id] of rewritten.entries()) expect(byId.get(id)!.phone).toBe(appCiphertexts[n]);
    for (const id of nulled) expect(byId.get(id)!.phone).toBeNull();
    const untouched = rows.filter((r) => !rewritten.includes(r.id) && !nulled.includes(r.id));
    expect(
      new Set(
        versions(
          "User",
          "phone",
          untouched.map((r) => r.phone),
        ),
      ),
    ).toEqual(new Set([2]));
    const expected = untouched.map((r) => phones[ids.indexOf(r.id)]);
    expect(
      await decryptColumn(
        fx,
        "User",
        "phone",
        untouched.map((r) => r.phone),
      ),
    ).toEqual(expected);
    expect(
      new Set(
        versions(
          "User",
          "email",
          rows.map((r) => r.email),
        ),
      ),
    ).toEqual(new Set([2]));
  }, 120_000);

  it("an app writing throughout a run never loses a write", async () => {
    // Move the table back to old versions: rotate again, so everything is one version behind.
    await fx.emulator.rotateKey(fx.keys.default);
    const app = db.client();
    const ids = (await app.user.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id);
    const last = new Map<number, string>();
    fx.emulator.faults.setLatency(5);
    let running = true;
    const writer = (async () => {
      for (let i = 0; running; i++) {
        const id = ids[(i * 7919) % ids.length]!;
        const value = `live-${i}`;
        const [ct] = await encryptForColumn(fx, "User", "phone", [value]);
        await app.user.update({ where: { id }, data: { phone: ct as string } });
        last.set(id, value);
      }
    })();
    const summary = await runMigration({
      prisma: db.client(),
      map,
      kms: fx.kms,
      keys: fx.keys,
      mode: "rotate",
      models: ["User"],
      fields: ["User.phone"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-conflict-")),
      batchSize: 50,
    });
    running = false;
    await writer;
    fx.emulator.faults.setLatency(0);
    expect(summary.failed).toBe(0);
    expect(last.size).toBeGreaterThan(0);
    const rows = await app.user.findMany({
      where: { id: { in: [...last.keys()] } },
      select: { id: true, phone: true },
    });
    const plain = await decryptColumn(
      fx,
      "User",
      "phone",
      rows.map((r) => r.phone),
    );
    rows.forEach((r, n) => {
      expect(plain[n]).toBe(last.get(r.id));
    });
  }, 120_000);
});
