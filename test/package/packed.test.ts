/**
 * What users install is what we test: `npm pack`, install the tarball into an
 * app folder outside this repository (test/package/app/, copied to a temp
 * dir: its own package.json, no tsx, no access to src/), and follow README
 * "Set-up in your app" with plain `node`:
 *
 *   prisma generate (the README's generator block) → the emulator from the
 *   installed bin → the set-up code (create, findUnique by a searchable field,
 *   findMany, update) → `prisma-ncp-kms migrate status` and `migrate rotate
 *   --rotate-key` (found through prisma.config.ts, app without "type":
 *   "module") → `tsc --noEmit` (strict) on the TypeScript version.
 *
 * Plus the production install: `--omit=dev --omit=peer` stays small and
 * builds nothing native.
 *
 * The npm registry is reachable here and in CI (`--prefer-offline` uses the
 * cache). `PACKED_TARBALL=/path/to.tgz` tests a given tarball instead of
 * packing this checkout (that is how the old main's tarball was shown to
 * fail). Prisma's CLI insists on a schema-engine download even for
 * `generate`, which never runs it: PRISMA_SCHEMA_ENGINE_BINARY points at a
 * stand-in, exactly as the README's offline paragraph tells app teams.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const appSource = fileURLToPath(new URL("./app", import.meta.url));
const INSTALL_TIMEOUT_MS = 12 * 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 5 * 60_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The environment an app's shell would have: no tsx loader, no repo paths. */
function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    npm_config_cache: process.env.npm_config_cache,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    ...extra,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const npmFlags = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function filesNamed(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && pattern.test(e.name)).map((e) => join(e.parentPath, e.name));
}

describe("the packed package in an app outside the repo (README 'Set-up in your app')", () => {
  let work: string;
  let app: string;
  let tarball: string;
  let engine: string;
  let emulator: ChildProcess | undefined;
  const kmsEnv: Record<string, string> = {};
  const databaseUrl = "file:./dev.db";

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "ncpkms-packed-"));
    if (process.env.PACKED_TARBALL) {
      tarball = process.env.PACKED_TARBALL;
    } else {
      // `npm pack` runs `prepack` (the build), as `npm publish` would.
      const packed = await run(npm, ["pack", "--json", "--pack-destination", work], root, process.env);
      expect(packed.code, packed.stderr).toBe(0);
      const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
      tarball = join(work, info!.filename);
    }
    app = join(work, "app");
    await cp(appSource, app, { recursive: true });
    engine = join(work, "fake-schema-engine");
    await writeFile(engine, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    // README step 1: the package, beside the app's own Prisma 7 + adapter.
    const installed = await run(npm, ["install", ...npmFlags, tarball], app, appEnv(), INSTALL_TIMEOUT_MS);
    expect(installed.code, installed.stderr).toBe(0);
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    emulator?.kill("SIGTERM");
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("npm publish --dry-run is clean: nothing auto-corrected, no source maps, only dist and README", async () => {
    // dist/ is there: `npm pack` above built it (prepack).
    const dry = await run(npm, ["publish", "--dry-run", "--json", "--ignore-scripts"], root, process.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).not.toMatch(/auto-corrected|errors corrected|invalid/i);
    const report = JSON.parse(dry.stdout.slice(dry.stdout.indexOf("{"))) as {
      files?: Array<{ path: string }>;
      "prisma-ncp-kms"?: { files: Array<{ path: string }> };
    };
    const files = (report.files ?? report["prisma-ncp-kms"]?.files ?? []).map((f) => f.path);
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => !f.startsWith("dist/") && f !== "README.md" && f !== "package.json")).toEqual(
      [],
    );
  }, 120_000);

  it("prisma generate with the README's generator block writes index.js, index.d.ts and the JSON map", async () => {
    // As the README says: `npx prisma generate` (npx puts node_modules/.bin on
    // PATH, where Prisma finds the generator's `prisma-ncp-kms` command).
    const generated = await run(
      npx,
      ["prisma", "generate"],
      app,
      appEnv({ DATABASE_URL: databaseUrl, PRISMA_SCHEMA_ENGINE_BINARY: engine }),
    );
    expect(generated.code, generated.stdout + generated.stderr).toBe(0);
    expect(generated.stdout + generated.stderr).toContain("prisma-ncp-kms encryption map");
    const files = await readdir(join(app, "generated/encryption"));
    expect(files.sort()).toEqual(["encryption-map.json", "index.d.ts", "index.js", "package.json"]);
  }, 180_000);

  it("the emulator started from the installed bin prints the env lines the app reads", async () => {
    emulator = spawn(
      join(app, "node_modules/.bin/prisma-ncp-kms"),
      ["emulator", "--port", "0", "--create-key", "default", "--create-key", "searchable:convergent"],
      { cwd: app, env: appEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    await new Promise<void>((resolve, reject) => {
      emulator!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (/\nKeys:\n(.*\n){2}/.test(out)) resolve();
      });
      emulator!.once("exit", (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
    });
    for (const line of out.split("\n")) {
      const match = /^(NCP_[A-Z_]+)=(.+)$/.exec(line);
      if (match) kmsEnv[match[1]!] = match[2]!;
    }
    expect(Object.keys(kmsEnv).sort()).toEqual([
      "NCP_ACCESS_KEY",
      "NCP_API_GATEWAY_KEY",
      "NCP_KMS_ENDPOINT",
      "NCP_KMS_KEYS",
      "NCP_SECRET_KEY",
    ]);
    expect(kmsEnv.NCP_KMS_KEYS).toMatch(/^default=[0-9a-f]{64},searchable=[0-9a-f]{64}$/);
  }, 60_000);

  it("the README set-up code runs under plain node: plaintext to the app, ciphertext in the table", async () => {
    const env = appEnv({ ...kmsEnv, DATABASE_URL: databaseUrl });
    const setup = await run(process.execPath, ["setup-db.mjs"], app, env);
    expect(setup.code, setup.stderr).toBe(0);
    const result = await run(process.execPath, ["app.mjs", "write"], app, env);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      created: { email: string; phone: string; notes: unknown };
      found: { email: string; phone: string } | null;
      updated: { phone: string };
      all: Array<{ email: string; phone: string }>;
    };
    expect(out.created).toMatchObject({ email: "alice@example.com", notes: { vip: true } });
    expect(out.found).toMatchObject({ email: "alice@example.com", phone: "+82-10-1234-5678" });
    expect(out.updated.phone).toBe("+82-10-5555-6666");
    expect(out.all.map((u) => [u.email, u.phone])).toEqual([
      ["alice@example.com", "+82-10-5555-6666"],
      ["bob@example.com", "+82-10-9999-0000"],
    ]);
    const db = new Database(join(app, "dev.db"), { readonly: true });
    try {
      const rows = db.prepare('SELECT email, phone, notes FROM "User" ORDER BY id').all() as Array<
        Record<string, string | null>
      >;
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.email).toMatch(/^ncpkms:v1:[A-Za-z0-9+/=]+$/);
        expect(row.phone).toMatch(/^ncpkms:v1:[A-Za-z0-9+/=]+$/);
      }
      expect(rows[0]!.notes).toMatch(/^"ncpkms:v1:[A-Za-z0-9+/=]+"$/);
      // '@', '.' and '-' never occur in base64: a plaintext leak would show.
      const raw = JSON.stringify(rows);
      for (const plaintext of ["alice@", "bob@", "+82-10", "5555-6666", "vip"])
        expect(raw).not.toContain(plaintext);
    } finally {
      db.close();
    }
  }, 120_000);

  it("prisma-ncp-kms migrate status / rotate --rotate-key find the app through prisma.config.ts", async () => {
    const env = appEnv({ ...kmsEnv, DATABASE_URL: databaseUrl });
    const status = await run(npx, ["prisma-ncp-kms", "migrate", "status", "--json"], app, env);
    expect(status.code, status.stderr).toBe(0);
    const before = JSON.parse(status.stdout) as {
      status: Array<{ field: string; byVersion: Record<string, number>; plaintext: number }>;
    };
    expect(Object.fromEntries(before.status.map((s) => [s.field, s.byVersion]))).toEqual({
      email: { "1": 2 },
      phone: { "1": 2 },
      notes: { "1": 1 },
    });

    const rotate = await run(npx, ["prisma-ncp-kms", "migrate", "rotate", "--rotate-key"], app, env);
    expect(rotate.code, rotate.stdout + rotate.stderr).toBe(0);
    expect(rotate.stdout).toMatch(/values migrated 5\b/);
    // Over the driver adapter alone: the installed generator's map has every database name.
    expect(status.stderr + rotate.stderr).not.toContain("MIGRATE_MAP_INCOMPLETE");

    const db = new Database(join(app, "dev.db"), { readonly: true });
    try {
      const rows = db.prepare('SELECT email, phone FROM "User"').all() as Array<Record<string, string>>;
      for (const row of rows) {
        expect(row.email).toMatch(/^ncpkms:v2:/);
        expect(row.phone).toMatch(/^ncpkms:v2:/);
      }
    } finally {
      db.close();
    }
    // The app reads and looks up the rotated rows (the searchable lookup uses v2 now).
    const read = await run(process.execPath, ["app.mjs", "read"], app, env);
    expect(read.code, read.stderr).toBe(0);
    const out = JSON.parse(read.stdout) as { found: { phone: string } | null; all: unknown[] };
    expect(out.found?.phone).toBe("+82-10-5555-6666");
    expect(out.all).toHaveLength(2);
    for (const text of [status.stdout, status.stderr, rotate.stdout, rotate.stderr]) {
      expect(text).not.toContain(kmsEnv.NCP_SECRET_KEY);
      expect(text).not.toContain("alice@");
    }
  }, 180_000);

  it("migrate --schema with the TypeScript `prisma-client` output, from an app without type:module", async () => {
    const env = appEnv({ ...kmsEnv, DATABASE_URL: databaseUrl, PRISMA_SCHEMA_ENGINE_BINARY: engine });
    const generated = await run(npx, ["prisma", "generate", "--schema", "prisma/ts-client.prisma"], app, env);
    expect(generated.code, generated.stdout + generated.stderr).toBe(0);
    expect(await readdir(join(app, "generated/ts-client"))).toContain("client.ts");
    const status = await run(
      npx,
      ["prisma-ncp-kms", "migrate", "status", "--schema", "prisma/ts-client.prisma", "--json"],
      app,
      env,
    );
    expect(status.code, status.stderr).toBe(0);
    const summary = JSON.parse(status.stdout) as { status: Array<{ field: string; byVersion: object }> };
    expect(summary.status.find((s) => s.field === "email")?.byVersion).toEqual({ "2": 2 });
  }, 180_000);

  it("a provider whose driver adapter is not installed: the CLI names the package to install", async () => {
    await writeFile(
      join(app, "prisma/postgres.prisma"),
      [
        'generator client {\n  provider = "prisma-client-js"\n  output   = "../generated/client"\n}',
        'generator encryption {\n  provider = "prisma-ncp-kms generate"\n  output   = "../generated/encryption"\n}',
        'datasource db {\n  provider = "postgresql"\n}',
      ].join("\n"),
    );
    const env = appEnv({ ...kmsEnv, DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/none" });
    const status = await run(
      npx,
      ["prisma-ncp-kms", "migrate", "status", "--schema", "prisma/postgres.prisma"],
      app,
      env,
    );
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("npm install @prisma/adapter-pg");
  }, 60_000);

  it("tsc --noEmit (strict) type-checks the TypeScript app against the installed types", async () => {
    const checked = await run(join(app, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], app, appEnv());
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  }, 180_000);

  it(
    "production install (--omit=dev, peers not installed): ≤ 15 packages, ≤ 15 MB, nothing native",
    async () => {
      const prod = join(work, "prod");
      await mkdir(prod);
      await writeFile(
        join(prod, "package.json"),
        '{ "name": "prod-app", "version": "1.0.0", "private": true }\n',
      );
      const installed = await run(
        npm,
        ["install", ...npmFlags, "--omit=dev", "--omit=peer", "--omit=optional", tarball],
        prod,
        appEnv(),
        INSTALL_TIMEOUT_MS,
      );
      expect(installed.code, installed.stderr).toBe(0);
      const listed = await run(npm, ["ls", "--all", "--parseable", "--omit=dev"], prod, appEnv());
      const packages = listed.stdout
        .split("\n")
        .filter((line) => line.includes("node_modules"))
        .map((line) => line.slice(line.lastIndexOf("node_modules/") + "node_modules/".length));
      const bytes = await dirSize(join(prod, "node_modules"));
      console.log(
        `production install: ${packages.length} packages, ${(bytes / 1e6).toFixed(1)} MB: ${packages.join(", ")}`,
      );
      expect(packages.length).toBeLessThanOrEqual(15);
      expect(bytes).toBeLessThanOrEqual(15 * 1e6);
      expect(await filesNamed(join(prod, "node_modules"), /\.node$|^binding\.gyp$/)).toEqual([]);
      for (const heavy of ["tsx", "esbuild", "better-sqlite3", "pg", "mariadb", "@prisma/client", "prisma"]) {
        expect(packages).not.toContain(heavy);
      }
      // The emulator needs no peer at all: it runs from this install.
      const help = await run(
        join(prod, "node_modules/.bin/prisma-ncp-kms"),
        ["emulator", "--help"],
        prod,
        appEnv(),
      );
      expect(help.code, help.stderr).toBe(0);
    },
    INSTALL_TIMEOUT_MS + 60_000,
  );
});
