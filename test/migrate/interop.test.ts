import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ncpKmsEncryption } from "../../src/extension/index.js";
import { runMigration } from "../../src/migrate/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { type KmsFixture, map, startKms } from "./fixtures.js";

describeEachProvider("migrate ↔ extension", (provider) => {
  let db: TestDatabase;
  let fx: KmsFixture;
  const people = Array.from({ length: 40 }, (_, i) => ({
    email: `interop${i}@example.com`,
    phone: `010-${i}`,
    notes: { i, tags: ["a", "b"] },
    avatar: new Uint8Array([i, 0, 255]),
  }));

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    await db.client().user.createMany({ data: people });
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("the extension reads and finds rows `migrate encrypt` and `migrate rotate` wrote; `migrate decrypt` reads what it wrote", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "pnk-interop-"));
    const common = { map, kms: fx.kms, keys: fx.keys, models: ["User"], stateDir };
    expect((await runMigration({ ...common, prisma: db.client(), mode: "encrypt" })).failed).toBe(0);
    const app = db.client().$extends(ncpKmsEncryption({ map, kms: fx.kms, keys: fx.keys }));
    const read = await app.user.findMany({
      orderBy: { id: "asc" },
      select: { email: true, phone: true, notes: true, avatar: true },
    });
    expect(read).toEqual(people);
    expect((await app.user.findUnique({ where: { email: people[7]!.email } }))?.phone).toBe(people[7]!.phone);

    await fx.emulator.rotateKey(fx.keys.searchable);
    await fx.emulator.rotateKey(fx.keys.default);
    expect((await runMigration({ ...common, prisma: db.client(), mode: "rotate" })).failed).toBe(0);
    // After the rotation a lookup (encrypting with the newest version) finds migrated rows again.
    expect((await app.user.findUnique({ where: { email: people[9]!.email } }))?.phone).toBe(people[9]!.phone);

    await app.user.create({ data: { email: "new@example.com", phone: "new-phone" } });
    expect((await runMigration({ ...common, prisma: db.client(), mode: "decrypt" })).failed).toBe(0);
    const raw = await db
      .client()
      .user.findMany({ orderBy: { id: "asc" }, select: { email: true, phone: true } });
    expect(raw.at(-1)).toEqual({ email: "new@example.com", phone: "new-phone" });
    expect(raw.slice(0, people.length).map((r) => r.email)).toEqual(people.map((p) => p.email));
  }, 120_000);
});
