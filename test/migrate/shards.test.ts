import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { cliConfig, cliEnv, runCli } from "./cli-runner.js";
import { expectUsersOnVersion, type KmsFixture, seedStaleUsers, startKms } from "./fixtures.js";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describeEachProvider("migrate CLI: 3 shard processes share one quota through Redis", (provider) => {
  const total = 1_200;
  const quota = 6;
  let db: TestDatabase;
  let fx: KmsFixture;
  const emails = Array.from({ length: total }, (_, i) => `s${i}@example.com`);
  const phones = Array.from({ length: total }, (_, i) => `sp-${i}`);

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    await seedStaleUsers(db, fx, emails, phones);
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("every row is migrated exactly once, the work is split, and the KMS never answers 429", async () => {
    // A quota of 6 requests/s per key; each process alone may send 5/s, so three sharing
    // nothing would send 15/s and be throttled. Through Redis they send 5/s together.
    fx.emulator.setQuota({ tpsV2: quota });
    fx.emulator.resetStats();
    const runId = `test-${randomBytes(4).toString("hex")}`;
    const env = cliEnv(db, fx, { NCP_KMS_TPS: "5", REDIS_URL: redisUrl });
    const runs = [1, 2, 3].map((k) =>
      runCli(
        [
          "rotate",
          "--config",
          cliConfig,
          "--model",
          "User",
          "--shard",
          `${k}/3`,
          "--run-id",
          runId,
          "--state-dir",
          mkdtempSync(join(tmpdir(), "pnk-shard-")),
          "--batch-size",
          "40",
          "--json",
        ],
        env,
      ),
    );
    const codes = await Promise.all(runs.map((r) => r.done));
    expect(codes, runs.map((r) => r.stderr()).join("\n")).toEqual([0, 0, 0]);
    const summaries = runs.map((r) => JSON.parse(r.stdout()) as { migrated: number; failed: number });
    for (const s of summaries) {
      expect(s.failed).toBe(0);
      expect(s.migrated).toBeGreaterThan(0);
    }
    expect(summaries.reduce((n, s) => n + s.migrated, 0)).toBe(total * 2);

    const stats = fx.emulator.stats();
    expect(stats.throttled).toBe(0);
    // One re-encryption per value, plus each process's key checks (3 values) and two probes: nothing processed twice.
    expect(stats.values).toBe(total * 2 + 3 * (3 + 2));

    const rows = await db
      .client()
      .user.findMany({ orderBy: { id: "asc" }, select: { email: true, phone: true } });
    await expectUsersOnVersion(fx, rows, 2, { emails, phones });
  }, 180_000);
});
