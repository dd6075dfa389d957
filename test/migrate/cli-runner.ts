/**
 * Spawning the real CLI (`node --import tsx src/cli/main.ts migrate ...`)
 * against a test database and the in-process emulator.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestDatabase } from "../helpers/databases.js";
import type { KmsFixture } from "./fixtures.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const cliConfig = fileURLToPath(new URL("./cli-config.ts", import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code, or the signal name when killed. */
  done: Promise<number | string>;
  /** Resolves when stderr matches `pattern` (or the process ends). */
  waitFor(pattern: RegExp): Promise<void>;
}

export function cliEnv(
  db: TestDatabase,
  fx: KmsFixture,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEST_MIGRATE_PROVIDER: db.provider,
    TEST_MIGRATE_DB_URL: db.url,
    NCP_KMS_ENDPOINT: fx.emulator.url,
    NCP_ACCESS_KEY: fx.emulator.credentials.accessKey,
    NCP_SECRET_KEY: fx.emulator.credentials.secretKey,
    NCP_KMS_KEYS: `default=${fx.keys.default},searchable=${fx.keys.searchable}`,
    PRISMA_NCP_KMS_LOG_INTERVAL_MS: "200",
    ...extra,
  };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): CliRun {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "migrate", ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(err)) w.resolve();
      else waiters.push(w);
    }
  });
  const done = new Promise<number | string>((resolve) => {
    child.on("close", (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve();
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor: (pattern) =>
      new Promise((resolve) => {
        if (pattern.test(err)) resolve();
        else waiters.push({ pattern, resolve });
      }),
  };
}
