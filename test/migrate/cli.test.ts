import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { cliEnv, runCli } from "./cli-runner.js";
import { encryptForColumn, type KmsFixture, startKms } from "./fixtures.js";

const schema = fileURLToPath(new URL("../../prisma/generated/sqlite/schema.prisma", import.meta.url));
const stateDir = () => mkdtempSync(join(tmpdir(), "pnk-cli-"));

describe("migrate CLI: flags, --schema, exit codes", () => {
  let db: TestDatabase;
  let fx: KmsFixture;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    fx = await startKms();
    const [email] = await encryptForColumn(fx, "User", "email", ["a@example.com"]);
    await db.client().user.create({ data: { email: email as string, phone: "still plaintext" } });
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  it("--help documents every flag", async () => {
    const run = runCli(["--help"], cliEnv(db, fx));
    expect(await run.done).toBe(0);
    for (const flag of [
      "--dry-run",
      "--batch-size",
      "--concurrency",
      "--resume",
      "--restart",
      "--json",
      "--schema",
      "--config",
      "--shard",
      "--redis-url",
      "--rotate-key",
      "--memory-target",
    ]) {
      expect(run.stdout()).toContain(flag);
    }
  });

  it("bad usage exits 2 with a message naming the problem", async () => {
    const run = runCli(["rotate", "--batch-size", "0", "--schema", schema], cliEnv(db, fx));
    expect(await run.done).toBe(2);
    expect(run.stderr()).toContain("--batch-size");
    const target = runCli(["rotate", "--memory-target", "lots", "--schema", schema], cliEnv(db, fx));
    expect(await target.done).toBe(2);
    expect(target.stderr()).toContain("--memory-target must be a whole number of MB");
  });

  it("status through --schema and DATABASE_URL: map from the generator output, the schema's driver adapter, no fallback warning", async () => {
    const run = runCli(
      ["status", "--schema", schema, "--model", "User", "--json"],
      cliEnv(db, fx, { DATABASE_URL: db.url }),
    );
    expect(await run.done, run.stderr()).toBe(0);
    const summary = JSON.parse(run.stdout()) as {
      status: Array<{ field: string; byVersion: Record<string, number>; plaintext: number; nulls: number }>;
    };
    const byField = Object.fromEntries(summary.status.map((s) => [s.field, s]));
    expect(byField.email).toMatchObject({ byVersion: { "1": 1 }, plaintext: 0 });
    expect(byField.phone).toMatchObject({ byVersion: {}, plaintext: 1 });
    expect(byField.avatar).toMatchObject({ nulls: 1 });
    expect(run.stdout()).not.toContain("a@example.com");
    expect(run.stderr()).not.toContain(fx.emulator.credentials.secretKey);
    expect(run.stderr()).not.toContain("warning");
  }, 60_000);

  it("an older map without database names: a warning, then the migration runs through the generated client", async () => {
    // The schema's own folder, rewritten: the client output is the real generated client, and the
    // encryption map is one from before the generator wrote database names.
    const dir = mkdtempSync(join(tmpdir(), "pnk-oldmap-"));
    const generated = fileURLToPath(new URL("../../prisma/generated/sqlite/", import.meta.url));
    mkdirSync(join(dir, "encryption"));
    const map = JSON.parse(readFileSync(join(generated, "encryption/encryption-map.json"), "utf8")) as {
      models: Record<string, { dbName?: string; idColumns?: string[] }>;
    };
    for (const model of Object.values(map.models)) {
      delete model.dbName;
      delete model.idColumns;
    }
    writeFileSync(join(dir, "encryption/encryption-map.json"), JSON.stringify(map));
    writeFileSync(
      join(dir, "schema.prisma"),
      readFileSync(join(generated, "schema.prisma"), "utf8").replace(
        'output   = "./client"',
        `output   = ${JSON.stringify(join(generated, "client"))}`,
      ),
    );
    const run = runCli(
      ["status", "--schema", join(dir, "schema.prisma"), "--model", "User", "--json"],
      cliEnv(db, fx, { DATABASE_URL: db.url }),
    );
    expect(await run.done, run.stderr()).toBe(0);
    expect(run.stderr()).toContain("warning: MIGRATE_MAP_INCOMPLETE");
    expect(run.stderr()).toContain("migrating through the generated client");
    const summary = JSON.parse(run.stdout()) as { status: Array<{ field: string; byVersion: object }> };
    expect(summary.status.find((s) => s.field === "email")?.byVersion).toEqual({ "1": 1 });
  }, 60_000);

  it("a wrong secret key: exit 1, the message names the credentials problem with its cause chain, no secret", async () => {
    const wrongSecret = `${fx.emulator.credentials.secretKey}-wrong`;
    const run = runCli(
      ["rotate", "--schema", schema, "--model", "User", "--state-dir", stateDir()],
      cliEnv(db, fx, { DATABASE_URL: db.url, NCP_SECRET_KEY: wrongSecret }),
    );
    expect(await run.done).toBe(1);
    const err = run.stderr();
    // The key check (before any row) is the first KMS call: its error is the credentials one.
    expect(err).toMatch(
      /KmsUnauthorizedError \[KMS_UNAUTHORIZED\]: KMS rejected the credentials \(action=encrypt/,
    );
    expect(err).not.toContain(wrongSecret);
    expect(err).not.toContain(fx.emulator.credentials.secretKey);
    expect(err).not.toContain(fx.emulator.credentials.accessKey);
  }, 60_000);
});
