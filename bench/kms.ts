/**
 * KMS client throughput against the local emulator at its default quota
 * (300 TPS per key on API 2.0). Prints a table and writes
 * `bench/results/kms.json`. Figures, not pass/fail.
 *
 *   npx tsx bench/kms.ts [--values 200000]
 */
import { mkdir, writeFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../src/emulator/index.js";
import { createKmsClient } from "../src/kms/index.js";

const VALUE_BYTES = 50;
const REQUEST_BYTES = 32_768;
const EMULATOR_TPS = 300;
const CLIENT_TPS = 270;

export interface KmsBenchResult {
  valueBytes: number;
  values: number;
  seconds: number;
  valuesPerSecond: number;
  encryptRequests: number;
  valuesPerRequest: number;
  boundAtQuota: number;
  boundAtClientTps: number;
  concurrentSingleCalls: number;
  requestsForConcurrentSingles: number;
  throttled429: number;
  clientCounters: Record<string, number>;
}

/** Runs the benchmark; `values` is the number of 50-byte values to encrypt. */
export async function runKmsBench(values = 200_000): Promise<KmsBenchResult> {
  const emu = await startEmulator({ port: 0, tpsV2: EMULATOR_TPS });
  const { keyTag } = await emu.createKey({ keyName: "bench" });
  const { accessKey, secretKey } = emu.credentials;
  const client = createKmsClient({ endpoint: emu.url, auth: { type: "signature", accessKey, secretKey } });
  try {
    const payload = Array.from({ length: values }, (_, i) =>
      new TextEncoder().encode(String(i).padStart(VALUE_BYTES, "v")),
    );
    // Warm-up (connections, JIT), then measure.
    await client.encryptMany(keyTag, undefined, payload.slice(0, 2000));
    emu.resetStats();
    const callers = 16;
    const per = Math.ceil(values / callers);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: callers }, (_, c) =>
        client.encryptMany(keyTag, undefined, payload.slice(c * per, (c + 1) * per)),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const stats = emu.stats();
    const encryptRequests = stats.byAction.encrypt ?? 0;
    const throttledBulk = stats.throttled;

    emu.resetStats();
    const singles = 1000;
    await Promise.all(Array.from({ length: singles }, (_, i) => client.encrypt(keyTag, `single-${i}`)));
    const singleStats = emu.stats();

    const perRequest = Math.floor(REQUEST_BYTES / VALUE_BYTES);
    return {
      valueBytes: VALUE_BYTES,
      values,
      seconds: Number(seconds.toFixed(3)),
      valuesPerSecond: Math.round(values / seconds),
      encryptRequests,
      valuesPerRequest: Number((values / Math.max(1, encryptRequests)).toFixed(1)),
      boundAtQuota: EMULATOR_TPS * perRequest,
      boundAtClientTps: CLIENT_TPS * perRequest,
      concurrentSingleCalls: singles,
      requestsForConcurrentSingles: singleStats.byAction.encrypt ?? 0,
      throttled429: throttledBulk + singleStats.throttled,
      clientCounters: { ...client.counters() },
    };
  } finally {
    await client.close();
    await emu.close();
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--values");
  const values = i > 0 ? Number(process.argv[i + 1]) : 200_000;
  const r = await runKmsBench(values);
  const rows: Array<[string, string]> = [
    ["value size", `${r.valueBytes} B`],
    ["values encrypted", String(r.values)],
    ["elapsed", `${r.seconds} s`],
    ["values/s through the client", String(r.valuesPerSecond)],
    ["encrypt requests", `${r.encryptRequests} (${r.valuesPerRequest} values/request)`],
    ["bound: 300 TPS × values per 32 KB", String(r.boundAtQuota)],
    ["bound: 270 TPS (client default) × values per 32 KB", String(r.boundAtClientTps)],
    ["requests for 1000 concurrent single-value calls", String(r.requestsForConcurrentSingles)],
    ["429s seen", String(r.throttled429)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}kms.json`, `${JSON.stringify({ ...r, at: new Date().toISOString() }, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
