import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeEachProvider } from "../helpers/providers.js";
import { type CliRun, cliConfig, cliEnv, runCli } from "./cli-runner.js";
import {
  decryptColumn,
  encryptForColumn,
  expectUsersOnVersion,
  type KmsFixture,
  startKms,
  versions,
} from "./fixtures.js";

/**
 * Kill points are chosen by work done, not by time: the test watches the
 * emulator's counters and signals the CLI once the run has had a random
 * number of values re-encrypted, so every stop lands mid-run whatever the
 * machine's speed.
 */
describeEachProvider("migrate CLI: killed runs resume", (provider) => {
  const total = 600;
  const batch = 25;
  const concurrency = 2;
  const kills = 10;
  // The README's promise: a kill loses at most the KMS work of the pages in flight, one field's batch each.
  const bound = concurrency * batch;
  let db: TestDatabase;
  let fx: KmsFixture;
  // One client (one pool) for every check: each db.client() opens its own connections.
  let app: ReturnType<TestDatabase["client"]>;
  const emails = Array.from({ length: total }, (_, i) => `kill${i}@example.com`);
  const phones = Array.from({ length: total }, (_, i) => `010-${i}`);
  const notes = Array.from({ length: total }, (_, i) => ({ i, tags: ["x"] }));

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    app = db.client();
    fx = await startKms();
    // Three fields: email (the searchable pass), phone (String) and notes (Json) in the other pass.
    const ce = await encryptForColumn(fx, "User", "email", emails);
    const cp = await encryptForColumn(fx, "User", "phone", phones);
    const cn = await encryptForColumn(fx, "User", "notes", notes);
    await app.user.createMany({
      data: emails.map((_, i) => ({
        email: ce[i] as string,
        phone: cp[i] as string,
        notes: cn[i] as string,
      })),
    });
    await fx.emulator.rotateKey(fx.keys.default);
    await fx.emulator.rotateKey(fx.keys.searchable);
    fx.emulator.resetStats();
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  /** Re-encrypt values the emulator served (version probes and key checks are encrypts, not counted). */
  const reencrypted = () => {
    const s = fx.emulator.stats();
    return s.valuesByAction["re-encrypt"] ?? 0;
  };

  /** Values already on the newest version (2), all three fields. */
  async function onNewest(): Promise<number> {
    const rows = await app.user.findMany({ select: { email: true, phone: true, notes: true } });
    return (["email", "phone", "notes"] as const)
      .flatMap((f) =>
        versions(
          "User",
          f,
          rows.map((r) => r[f]),
        ),
      )
      .filter((v) => v === 2).length;
  }

  /** Resolves once the run has had `values` more values re-encrypted (or ended). */
  function whenReencrypted(run: CliRun, values: number): Promise<void> {
    const start = reencrypted();
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (reencrypted() - start >= values || run.child.exitCode !== null) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
      void run.done.then(() => {
        clearInterval(timer);
        resolve();
      });
    });
  }

  /** Waits for the emulator to finish requests the dead process left behind (their values count as lost work). */
  async function settled(): Promise<void> {
    for (let last = -1; last !== reencrypted(); ) {
      last = reencrypted();
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  it(`${kills} × SIGKILL at random points (after a SIGTERM): each loses ≤ concurrency × batch re-encryptions; --resume finishes with nothing lost`, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "pnk-resume-"));
    const args = [
      "rotate",
      "--config",
      cliConfig,
      "--model",
      "User",
      "--state-dir",
      stateDir,
      "--batch-size",
      String(batch),
      "--concurrency",
      String(concurrency),
    ];
    const env = cliEnv(db, fx);
    const work = total * 3;

    // A graceful stop first: the pages in flight finish, exit 130, and a plain re-run refuses to start.
    const graceful = runCli(args, env);
    await whenReencrypted(graceful, 1 + Math.floor(Math.random() * (work / 10)));
    graceful.child.kill("SIGTERM");
    expect(await graceful.done).toBe(130);
    expect(graceful.stdout()).toContain("INTERRUPTED");
    expect(readdirSync(stateDir).filter((f) => f.startsWith("rotate-")).length).toBeGreaterThan(0);
    const refused = runCli(args, env);
    expect(await refused.done).toBe(1);
    expect(refused.stderr()).toContain("--resume");
    await settled();

    const losses: number[] = [];
    for (let k = 0; k < kills; k++) {
      const sentBefore = reencrypted();
      const writtenBefore = await onNewest();
      // The k-th kill lands at a random point of the k-th of `kills` equal slices of the first
      // two thirds of the work, counted in re-encryptions since the start: spread over both
      // passes, with a third of the work left as margin for a late kill on a slow machine.
      const target = Math.floor(((k + Math.random()) * work * (2 / 3)) / kills);
      const run = runCli([...args, "--resume"], env);
      await whenReencrypted(run, Math.max(1, target - sentBefore));
      run.child.kill("SIGKILL");
      expect(await run.done, `${run.stdout().slice(-1500)}\n${run.stderr().slice(-1500)}`).toBe("SIGKILL");
      await settled();
      const lost = reencrypted() - sentBefore - ((await onNewest()) - writtenBefore);
      losses.push(lost);
    }
    for (const lost of losses)
      expect(lost, `re-encryptions lost per kill: ${losses.join(", ")}`).toBeLessThanOrEqual(bound);

    const final = runCli([...args, "--resume", "--json"], env);
    expect(await final.done, final.stderr()).toBe(0);
    const summary = JSON.parse(final.stdout()) as { failed: number };
    expect(summary.failed).toBe(0);
    expect(existsSync(join(stateDir, "rotate-User.json"))).toBe(false);
    // Every value re-encrypted once, plus what the kills lost (each within the bound).
    expect(reencrypted()).toBeLessThanOrEqual(work + (kills + 1) * bound);

    const rows = await app.user.findMany({
      orderBy: { id: "asc" },
      select: { email: true, phone: true, notes: true },
    });
    expect(rows).toHaveLength(total);
    await expectUsersOnVersion(fx, rows, 2, { emails, phones });
    const storedNotes = rows.map((r) => r.notes);
    expect(new Set(versions("User", "notes", storedNotes))).toEqual(new Set([2]));
    expect(await decryptColumn(fx, "User", "notes", storedNotes)).toEqual(notes);
  }, 300_000);
});
