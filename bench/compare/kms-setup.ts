/**
 * The KMS side of the benchmark: the emulator in-process on loopback (with
 * `BENCH_KMS_LATENCY_MS` of added latency per request) at its default quota (300 TPS per key on API 2.0), a default and a convergent
 * key, and a KMS client with its default settings (limiter at 90% of the
 * quota). Also records when KMS requests were in flight, to say where the
 * time goes.
 */
import { type EmulatorStats, type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createKmsClient, type KmsClient } from "../../src/kms/index.js";

/** NCP's API 2.0 quota per key, which the emulator enforces by default. */
export const QUOTA_TPS_PER_KEY = 300;

export interface BenchKms {
  readonly emulator: RunningEmulator;
  readonly client: KmsClient;
  readonly keys: { readonly default: string; readonly searchable: string };
  /** Emulator counters since the last `reset()`. */
  stats(): EmulatorStats;
  /** Resets the emulator counters and the in-flight record. */
  reset(): void;
  /** [start, end] (performance clock, ms) of every KMS request since `reset()`. */
  requestIntervals(): ReadonlyArray<readonly [number, number]>;
  close(): Promise<void>;
}

/** `latencyMs`: added by the emulator to every KMS request (a KMS a network hop away). */
export async function startBenchKms(latencyMs = 0): Promise<BenchKms> {
  const emulator = await startEmulator({ port: 0, latencyMs });
  const [normal, convergent] = await Promise.all([
    emulator.createKey({ keyName: "bench-default", isConvergent: false }),
    emulator.createKey({ keyName: "bench-search", isConvergent: true }),
  ]);
  const client = createKmsClient({
    endpoint: emulator.url,
    auth: {
      type: "signature",
      accessKey: emulator.credentials.accessKey,
      secretKey: emulator.credentials.secretKey,
    },
  });
  let intervals: Array<readonly [number, number]> = [];
  client.on((event) => {
    if (event.type !== "request") return;
    const end = performance.now();
    intervals.push([end - event.durationMs, end]);
  });
  return {
    emulator,
    client,
    keys: { default: normal.keyTag, searchable: convergent.keyTag },
    stats: () => emulator.stats(),
    reset() {
      emulator.resetStats();
      intervals = [];
    },
    requestIntervals: () => intervals,
    async close() {
      await client.close();
      await emulator.close();
    },
  };
}
