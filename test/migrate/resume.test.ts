import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { cliConfig, cliEnv, runCli } from "./cli-runner.js";
import { expectUsersOnVersion, type KmsFixture, seedStaleUsers, startKms } from "./fixtures.js";

describeEachProvider("migrate CLI: killed runs resume", (provider) => {
  const total = 1_000;
  const batch = 25;
  const concurrency = 2;
  let db: TestDatabase;
  let fx: KmsFixture;
  const emails = Array.from({ length: total }, (_, i) => `kill${i}@example.com`);
  const phones = Array.from({ length: total }, (_, i) => `010-${i}`);

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    fx = await startKms();
    await seedStaleUsers(db, fx, emails, phones);
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("SIGTERM/SIGKILL at random points, then --resume: nothing lost, nothing left, no value re-encrypted beyond the pages in flight", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "pnk-resume-"));
    const args = ["rotate", "--config", cliConfig, "--state-dir", stateDir, "--batch-size", String(batch)];
    const env = cliEnv(db, fx);
    // Slow the KMS down so that a run lasts long enough to be killed in the middle.
    fx.emulator.faults.setLatency(40);
    fx.emulator.resetStats();
    let kills = 0;
    let runs = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = runCli([...args, ...(attempt === 0 ? [] : ["--resume"])], env);
      runs++;
      await run.waitFor(/rotate User \[\w+\]\s+[1-9]/);
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 400)));
      // The first stop is graceful (SIGTERM: pages in flight finish, exit 130), the others are SIGKILL.
      const signal = attempt === 0 ? "SIGTERM" : "SIGKILL";
      const killed = run.child.kill(signal);
      const code = await run.done;
      if (killed && code === (attempt === 0 ? 130 : "SIGKILL")) {
        kills++;
        if (attempt === 0) expect(run.stdout()).toContain("INTERRUPTED");
      } else {
        expect(code).toBe(0); // finished before the kill landed
        break;
      }
      if (attempt === 0) {
        // Without --resume or --restart, a run refuses to start over the checkpoint.
        expect(readdirSync(stateDir).filter((f) => f.startsWith("rotate-")).length).toBeGreaterThan(0);
        const refused = runCli(args, env);
        expect(await refused.done).toBe(1);
        expect(refused.stderr()).toContain("--resume");
      }
    }
    expect(kills).toBeGreaterThan(0);

    fx.emulator.faults.setLatency(0);
    const final = runCli([...args, "--resume", "--json"], env);
    runs++;
    expect(await final.done).toBe(0);
    const summary = JSON.parse(final.stdout()) as { failed: number; migrated: number };
    const valuesSent = fx.emulator.stats().values;
    expect(summary.failed).toBe(0);
    expect(existsSync(join(stateDir, "rotate-User.json"))).toBe(false);

    const rows = await db
      .client()
      .user.findMany({ orderBy: { id: "asc" }, select: { email: true, phone: true } });
    expect(rows).toHaveLength(total);
    await expectUsersOnVersion(fx, rows, 2, { emails, phones });

    // Each run probes both keys (2 values). Beyond one re-encryption per value, a kill can only
    // waste the pages that were in flight (their results never committed): at most
    // concurrency × batch values of one field per kill.
    const reencrypted = valuesSent - runs * 2;
    expect(reencrypted).toBeGreaterThanOrEqual(total * 2);
    expect(reencrypted).toBeLessThanOrEqual(total * 2 + kills * concurrency * batch);
  }, 180_000);
});
