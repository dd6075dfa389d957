import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { KmsQuotaWaitTimeoutError } from "../../src/kms/index.js";
import { bytes, clientFor, emulatorWithKey } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;
const QUOTA = 20;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({ tpsV2: QUOTA }));
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.resetStats();
  // Let the emulator's bucket refill between tests.
  emu.setQuota({ tpsV2: QUOTA });
});

/** `n` separate requests (one value each, distinct contexts so they cannot merge). */
function burst(client: ReturnType<typeof clientFor>, n: number) {
  return Promise.allSettled(
    Array.from({ length: n }, (_, i) => client.encryptMany(keyTag, bytes(`c${i}`), [bytes(`v${i}`)])),
  );
}

describe("quota: our own traffic never causes a 429", () => {
  it("at 90% of a 20 TPS quota, a 40-request burst sees 0 429s and is spread by the limiter", async () => {
    // The limiter's clock is frozen, so its reservations (and their sum) do not depend on machine speed.
    const client = clientFor(emu, { tps: QUOTA * 0.9, monotonicNow: () => 0 });
    const results = await burst(client, 40);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.stats().throttled).toBe(0);
    expect(emu.stats().byAction.encrypt).toBe(40);
    const c = client.counters();
    expect(c.throttled).toBe(0);
    expect(c.retries).toBe(0);
    // All but the first request waited for a slot: request k waits k × (1000 / 18) ms.
    expect(c.waits).toBe(39);
    expect(c.waitMs).toBeCloseTo(((39 * 40) / 2) * (1000 / 18), 6);
    await client.close();
  });

  it("control: with the limiter set far above the quota, the same burst is throttled", async () => {
    const client = clientFor(emu, { tps: 10_000, retry: { retries: 0 } });
    await burst(client, 40);
    expect(emu.stats().throttled).toBeGreaterThan(0);
    await client.close();
  });

  it("a wait longer than maxWaitMs fails fast with KmsQuotaWaitTimeoutError", async () => {
    const client = clientFor(emu, { tps: 1, maxWaitMs: 100 });
    const results = await burst(client, 3);
    expect(results[0]!.status).toBe("fulfilled");
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(rejected).toHaveLength(2);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(KmsQuotaWaitTimeoutError);
    expect(emu.stats().requests).toBe(1);
    await client.close();
  });
});
