/**
 * Emulator throughput: requests/s and values/s for encrypt and decrypt with
 * 1-value and 100-value arrays, signature v2, keep-alive connections.
 *
 * Client and emulator share one process (one core): the figures are a lower
 * bound for the emulator alone. Prints a table and writes
 * `bench/results/emulator.json`.
 *
 *   npx tsx bench/emulator.ts            # default: 3 s per scenario
 *   BENCH_SECONDS=1 npx tsx bench/emulator.ts
 */
import { createHmac } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { type RunningEmulator, startEmulator } from "../src/emulator/index.js";

interface ScenarioResult {
  scenario: string;
  action: "encrypt" | "decrypt";
  valuesPerRequest: number;
  concurrency: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  valuesPerSecond: number;
  /** CPU time this process used (client and emulator together), so figures on a busy machine can be read. */
  cpuSeconds: number;
  requestsPerCpuSecond: number;
  valuesPerCpuSecond: number;
  errors: number;
}

function signedHeaders(emulator: RunningEmulator, path: string): Record<string, string> {
  const timestamp = String(Date.now());
  const { accessKey, secretKey } = emulator.credentials;
  const signature = createHmac("sha256", secretKey)
    .update(`POST ${path}\n${timestamp}\n${accessKey}`)
    .digest("base64");
  return {
    "content-type": "application/json",
    "x-ncp-apigw-timestamp": timestamp,
    "x-ncp-iam-access-key": accessKey,
    "x-ncp-apigw-signature-v2": signature,
  };
}

async function runScenario(
  emulator: RunningEmulator,
  pool: Pool,
  keyTag: string,
  action: "encrypt" | "decrypt",
  valuesPerRequest: number,
  concurrency: number,
  seconds: number,
): Promise<ScenarioResult> {
  const path = `/kms/v1/keys/${keyTag}/${action}`;
  const plaintexts = Array.from({ length: valuesPerRequest }, (_, i) =>
    Buffer.from(`user-${i}@example.com`).toString("base64"),
  );
  let body: string;
  if (action === "encrypt") {
    body = JSON.stringify({ plaintext: plaintexts });
  } else {
    const encPath = `/kms/v1/keys/${keyTag}/encrypt`;
    const res = await pool.request({
      path: encPath,
      method: "POST",
      headers: signedHeaders(emulator, encPath),
      body: JSON.stringify({ plaintext: plaintexts }),
    });
    const { data } = (await res.body.json()) as { data: { ciphertext: string[] } };
    body = JSON.stringify({ ciphertext: data.ciphertext });
  }
  let requests = 0;
  let errors = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const res = await pool.request({
          path,
          method: "POST",
          headers: signedHeaders(emulator, path),
          body,
        });
        await res.body.dump();
        if (res.statusCode === 200) requests++;
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    scenario: `${action} ×${valuesPerRequest}`,
    action,
    valuesPerRequest,
    concurrency,
    requests,
    seconds: Number(elapsed.toFixed(3)),
    requestsPerSecond: Math.round(requests / elapsed),
    valuesPerSecond: Math.round((requests * valuesPerRequest) / elapsed),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    requestsPerCpuSecond: Math.round(requests / cpuSeconds),
    valuesPerCpuSecond: Math.round((requests * valuesPerRequest) / cpuSeconds),
    errors,
  };
}

/** Runs every scenario and returns the figures (also written to bench/results/emulator.json). */
export async function runEmulatorBench(options: { seconds?: number; concurrency?: number } = {}): Promise<{
  node: string;
  date: string;
  cpus: number;
  loadAverage: number[];
  results: ScenarioResult[];
}> {
  const seconds = options.seconds ?? 3;
  const concurrency = options.concurrency ?? 32;
  const emulator = await startEmulator({ tpsV1: 1e9, tpsV2: 1e9 });
  const pool = new Pool(emulator.url, { connections: concurrency });
  try {
    const { keyTag } = await emulator.createKey({ keyName: "bench" });
    const results: ScenarioResult[] = [];
    // Warm-up: module loading and JIT compilation would otherwise land in the
    // first scenario (it measured 3x slower than its own rerun).
    await runScenario(emulator, pool, keyTag, "encrypt", 1, concurrency, 1.5);
    await runScenario(emulator, pool, keyTag, "decrypt", 100, concurrency, 0.5);
    for (const [action, size] of [
      ["encrypt", 1],
      ["encrypt", 100],
      ["decrypt", 1],
      ["decrypt", 100],
    ] as const) {
      // A short warm-up so JIT compilation is not measured.
      await runScenario(emulator, pool, keyTag, action, size, concurrency, 0.3);
      results.push(await runScenario(emulator, pool, keyTag, action, size, concurrency, seconds));
    }
    const report = {
      node: process.version,
      date: new Date().toISOString(),
      cpus: availableParallelism(),
      // The 1-minute load average: on a shared machine, figures scale down with it.
      loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
      results,
    };
    const out = join(dirname(fileURLToPath(import.meta.url)), "results", "emulator.json");
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await pool.close();
    await emulator.close();
  }
}

function printTable(results: ScenarioResult[]): void {
  const rows = results.map((r) => [
    r.scenario,
    String(r.concurrency),
    String(r.requests),
    r.requestsPerSecond.toLocaleString("en-US"),
    r.valuesPerSecond.toLocaleString("en-US"),
    r.requestsPerCpuSecond.toLocaleString("en-US"),
    r.valuesPerCpuSecond.toLocaleString("en-US"),
    String(r.errors),
  ]);
  const header = [
    "scenario",
    "concurrency",
    "requests",
    "requests/s",
    "values/s",
    "req/CPU-s",
    "values/CPU-s",
    "errors",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  process.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const report = await runEmulatorBench({ seconds });
  printTable(report.results);
  process.stdout.write(`load average ${report.loadAverage.join(" ")} on ${report.cpus} CPUs\n`);
  process.stdout.write("written to bench/results/emulator.json\n");
}
