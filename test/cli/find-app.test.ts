/**
 * `prisma-ncp-kms migrate` finds an app's set-up the Prisma 7 way, from the
 * app's folder: `--schema <file>` in a package without "type": "module" (the
 * TS client of the `prisma-client` generator loads through jiti; the same
 * case from the installed package, where tsx failed with ENOENT
 * …/client/enums.ts?namespace=, is in test/package/), a multi-file schema folder
 * named by prisma.config.ts with the database URL from its `datasource.url`,
 * and a clear error when there is nothing to find. Real CLI process, real
 * SQLite database; `status` counts the plaintext rows it reads.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const generated = join(root, "prisma/generated/sqlite");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function migrate(args: readonly string[], cwd: string, env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "src/cli/main.ts"), "migrate", ...args],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function plaintextByField(stdout: string): Record<string, number> {
  const summary = JSON.parse(stdout) as {
    status: Array<{ model: string; field: string; plaintext: number }>;
  };
  return Object.fromEntries(
    summary.status.filter((s) => s.model === "User").map((s) => [s.field, s.plaintext]),
  );
}

describe("migrate CLI: finding the app's schema, client and database", () => {
  let db: TestDatabase;
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let kmsEnv: Record<string, string>;
  // Inside the repo (git-ignored .tmp/) so the copied client resolves @prisma/client.
  const base = join(root, ".tmp", `find-app-${process.pid}`);

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
    await db.client().user.create({ data: { email: "plain@example.com", phone: "+82-10-1111-2222" } });
    emulator = await startEmulator({ port: 0 });
    const def = await emulator.createKey({ keyName: "default" });
    const searchable = await emulator.createKey({ keyName: "searchable", isConvergent: true });
    kmsEnv = {
      NCP_KMS_ENDPOINT: emulator.url,
      NCP_ACCESS_KEY: emulator.credentials.accessKey,
      NCP_SECRET_KEY: emulator.credentials.secretKey,
      NCP_KMS_KEYS: `default=${def.keyTag},searchable=${searchable.keyTag}`,
    };
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
    await emulator?.close();
    await db?.drop();
  });

  async function appFolder(name: string): Promise<string> {
    const dir = join(base, name);
    await mkdir(dir, { recursive: true });
    // No "type": "module": the generated TS client is then CommonJS-by-default territory.
    await writeFile(join(dir, "package.json"), `{ "name": "${name}", "private": true }\n`);
    await cp(join(generated, "client"), join(dir, "client"), { recursive: true });
    await cp(join(generated, "encryption"), join(dir, "encryption"), { recursive: true });
    return dir;
  }

  it("--schema <file> from a package without type:module, DATABASE_URL for the database", async () => {
    const dir = await appFolder("single-file");
    await cp(join(generated, "schema.prisma"), join(dir, "schema.prisma"));
    const result = await migrate(["status", "--schema", "schema.prisma", "--json"], dir, {
      ...kmsEnv,
      DATABASE_URL: db.url,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(plaintextByField(result.stdout)).toMatchObject({ email: 1, phone: 1 });
  }, 120_000);

  it("no flags: prisma.config.ts names a multi-file schema folder and the datasource url", async () => {
    const dir = await appFolder("multi-file");
    const text = await readFile(join(generated, "schema.prisma"), "utf8");
    const firstModel = text.search(/^model /m);
    await mkdir(join(dir, "prisma/schema"), { recursive: true });
    // Outputs are relative to the file that declares the generator.
    await writeFile(
      join(dir, "prisma/schema/main.prisma"),
      text
        .slice(0, firstModel)
        .replace('"./client"', '"../../client"')
        .replace('"./encryption"', '"../../encryption"'),
    );
    await writeFile(join(dir, "prisma/schema/models.prisma"), text.slice(firstModel));
    await writeFile(
      join(dir, "prisma.config.ts"),
      [
        'import { defineConfig, env } from "prisma/config";',
        'export default defineConfig({ schema: "prisma/schema", datasource: { url: env("APP_DATABASE_URL") } });',
        "",
      ].join("\n"),
    );
    const result = await migrate(["status", "--json"], dir, { ...kmsEnv, APP_DATABASE_URL: db.url });
    expect(result.code, result.stderr).toBe(0);
    expect(plaintextByField(result.stdout)).toMatchObject({ email: 1, phone: 1 });
  }, 120_000);

  it("a prisma.config.ts whose env() is unset: the error names the variable", async () => {
    const result = await migrate(["status"], join(base, "multi-file"), kmsEnv);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("APP_DATABASE_URL");
  }, 60_000);

  it("nothing to find: says where it looked and what to pass", async () => {
    const dir = join(base, "empty");
    await mkdir(dir, { recursive: true });
    const result = await migrate(["status"], dir, kmsEnv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No Prisma schema found");
    expect(result.stderr).toContain("--schema");
  }, 60_000);
});
