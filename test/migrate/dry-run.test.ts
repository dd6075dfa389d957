import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type MigrateSummary, runMigration } from "../../src/migrate/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { cliConfig, cliEnv, runCli } from "./cli-runner.js";
import { encryptForColumn, type KmsFixture, map, seedStaleUsers, startKms, versions } from "./fixtures.js";

describeEachProvider("migrate --dry-run: no KMS call at all", (provider) => {
  const stale = 60;
  const current = 15;
  let db: TestDatabase;
  let fx: KmsFixture;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    // `stale` rows on v1, keys rotated to v2, then the app wrote `current` rows on v2.
    await seedStaleUsers(
      db,
      fx,
      Array.from({ length: stale }, (_, i) => `dry${i}@example.com`),
      Array.from({ length: stale }, (_, i) => `010-${i}`),
    );
    const e = Array.from({ length: current }, (_, i) => `new${i}@example.com`);
    const ce = await encryptForColumn(fx, "User", "email", e);
    const cp = await encryptForColumn(
      fx,
      "User",
      "phone",
      e.map((_, i) => `011-${i}`),
    );
    await db
      .client()
      .user.createMany({ data: e.map((_, i) => ({ email: ce[i] as string, phone: cp[i] as string })) });
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  const storedVersions = async () => {
    const rows = await db
      .client()
      .user.findMany({ orderBy: { id: "asc" }, select: { email: true, phone: true } });
    return [
      ...versions(
        "User",
        "email",
        rows.map((r) => r.email),
      ),
      ...versions(
        "User",
        "phone",
        rows.map((r) => r.phone),
      ),
    ];
  };

  const dryRun = (mode: "rotate" | "status", extra: { rotateKeys?: boolean } = {}) =>
    runMigration({
      prisma: db.client(),
      map,
      kms: fx.kms,
      keys: fx.keys,
      mode,
      models: ["User"],
      fields: ["User.email", "User.phone"],
      dryRun: true,
      stateDir: mkdtempSync(join(tmpdir(), "pnk-dry-")),
      ...extra,
    });

  it("rotate --dry-run: 0 KMS requests, versions from the data (newest unknown), nothing written", async () => {
    const before = await storedVersions();
    fx.emulator.resetStats();
    const summary = await dryRun("rotate");
    expect(fx.emulator.stats().requests).toBe(0);
    expect(summary.kmsRequests).toBe(0);
    expect(summary.keyVersions).toEqual({});
    // Values below the newest version seen in the data: the stale rows, both fields.
    expect(summary.migrated).toBe(stale * 2);
    expect(summary.skipped).toBe(current * 2);
    expect(summary.status).toEqual([
      expect.objectContaining({
        field: "email",
        byVersion: { "1": stale, "2": current },
        newestVersion: null,
      }),
      expect.objectContaining({
        field: "phone",
        byVersion: { "1": stale, "2": current },
        newestVersion: null,
      }),
    ]);
    expect(await storedVersions()).toEqual(before);
  });

  it("status --dry-run: 0 KMS requests, counts by version", async () => {
    fx.emulator.resetStats();
    const summary = await dryRun("status");
    expect(fx.emulator.stats().requests).toBe(0);
    expect(summary.status.map((s) => s.byVersion)).toEqual([
      { "1": stale, "2": current },
      { "1": stale, "2": current },
    ]);
  });

  it("the CLI: rotate --rotate-key --dry-run makes 0 requests (no rotation, no probe), every ciphertext would move", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "pnk-dry-cli-"));
    fx.emulator.resetStats();
    const run = runCli(
      [
        "rotate",
        "--config",
        cliConfig,
        "--model",
        "User",
        "--field",
        "User.email",
        "--field",
        "User.phone",
        "--rotate-key",
        "--dry-run",
        "--json",
        "--state-dir",
        stateDir,
      ],
      cliEnv(db, fx),
    );
    expect(await run.done, run.stderr()).toBe(0);
    expect(fx.emulator.stats().requests).toBe(0);
    const summary = JSON.parse(run.stdout()) as MigrateSummary;
    expect(summary).toMatchObject({
      dryRun: true,
      kmsRequests: 0,
      keyVersions: {},
      migrated: (stale + current) * 2,
    });
    expect(run.stderr()).toContain("newest versions are not known");
    expect(readdirSync(stateDir)).toEqual([]);
  }, 60_000);
});
