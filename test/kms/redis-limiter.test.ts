import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { emulatorWithKey } from "./helpers.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const QUOTA = 20;
const WORKERS = 3;
const REQUESTS = 15;

let emu: RunningEmulator;
let keyTag: string;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({ tpsV2: QUOTA }));
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetStats();
  emu.setQuota({ tpsV2: QUOTA });
});

interface WorkerReport {
  failed: number;
  counters: { throttled: number; requests: number };
}

interface Worker {
  ready: Promise<void>;
  done: Promise<WorkerReport>;
  go(): void;
}

function startWorker(limiter: "redis" | "local", prefix: string): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", "test/kms/fixtures/redis-worker.ts"], {
    env: {
      ...process.env,
      REDIS_URL,
      KMS_URL: emu.url,
      ACCESS_KEY: emu.credentials.accessKey,
      SECRET_KEY: emu.credentials.secretKey,
      KEY_TAG: keyTag,
      TPS: String(QUOTA * 0.9),
      PREFIX: prefix,
      LIMITER: limiter,
      REQUESTS: String(limiter === "local" ? Math.floor(QUOTA * 0.9) : REQUESTS),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("ready\n")) markReady();
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const done = new Promise<WorkerReport>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      markReady();
      if (code !== 0) reject(new Error(`worker exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()!) as WorkerReport);
    });
  });
  return { ready, done, go: () => child.stdin.end("go\n") };
}

/** Starts the workers, waits until each is ready, releases them together, collects reports. */
async function runWorkers(limiter: "redis" | "local", prefix: string): Promise<WorkerReport[]> {
  const workers = Array.from({ length: WORKERS }, () => startWorker(limiter, prefix));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.done));
}

describe("shared Redis limiter across processes", () => {
  it(`${WORKERS} processes sharing one key stay under the quota together: 0 429s`, async () => {
    const prefix = `test:kms:${randomUUID()}:`;
    const reports = await runWorkers("redis", prefix);
    expect(reports.map((r) => r.failed)).toEqual(Array(WORKERS).fill(0));
    expect(emu.stats().throttled).toBe(0);
    expect(emu.stats().byAction.encrypt).toBe(WORKERS * REQUESTS);
  });

  it("control: the same processes with only local limiters exceed the shared quota", async () => {
    const reports = await runWorkers("local", `unused:${randomUUID()}:`);
    expect(emu.stats().throttled).toBeGreaterThan(0);
    expect(reports.reduce((n, r) => n + r.counters.throttled, 0)).toBe(emu.stats().throttled);
  });
});
