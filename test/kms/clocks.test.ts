/**
 * Two clocks: the wall clock signs requests and judges token expiry; the
 * monotonic clock times limiter waits and retry budgets. A wall-clock jump
 * (NTP step, VM resume) therefore neither stalls nor floods the limiter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { KmsUnauthorizedError } from "../../src/kms/index.js";
import { bytes, clientFor, emulatorWithKey } from "./helpers.js";

const QUOTA = 20;
let emu: RunningEmulator;
let keyTag: string;
/** The host's wall clock as both the client and the emulator see it. */
let wallOffsetMs = 0;
const wall = () => Date.now() + wallOffsetMs;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({ tpsV2: QUOTA, now: wall }, { keyName: "clock-key" }));
});
afterAll(() => emu.close());
beforeEach(() => {
  wallOffsetMs = 0;
  emu.resetStats();
  emu.setQuota({ tpsV2: QUOTA });
});

let seq = 0;
const burst = (client: ReturnType<typeof clientFor>, n: number) =>
  Promise.allSettled(
    Array.from({ length: n }, () => client.encryptMany(keyTag, bytes(`c${seq++}`), [bytes("v")])),
  );

describe("a wall-clock jump", () => {
  it("one hour back mid-run: the limiter does not stall (no quota-wait timeouts), 0 × 429", async () => {
    const client = clientFor(emu, { tps: QUOTA * 0.9, now: wall, maxWaitMs: 5_000 });
    const first = await burst(client, 10);
    wallOffsetMs = -3_600_000;
    const second = await burst(client, 10);
    expect([...first, ...second].filter((r) => r.status === "rejected")).toEqual([]);
    expect(emu.stats().throttled).toBe(0);
    await client.close();
  });

  it("one hour forward mid-run: the limiter keeps its pace (no second burst on top of the first), 0 × 429", async () => {
    const client = clientFor(emu, { tps: QUOTA * 0.9, now: wall, retry: { retries: 0 } });
    let sent!: () => void;
    const firstSent = new Promise<void>((resolve) => {
      sent = resolve;
    });
    client.on((e) => e.type === "request" && sent());
    // Every slot of the first burst is reserved before its first request returns.
    const first = burst(client, 30);
    await firstSent;
    wallOffsetMs = 3_600_000;
    const second = await burst(client, 30);
    expect([...(await first), ...second].filter((r) => r.status === "rejected")).toEqual([]);
    expect(emu.stats().throttled).toBe(0);
    await client.close();
  });
});

describe("which clock does what", () => {
  it("the limiter's waits come from the injected monotonic clock (frozen: exact GCRA spacing)", async () => {
    const tps = 100; // burst = 10
    const client = clientFor(emu, { tps, monotonicNow: () => 0 });
    emu.setQuota({ tpsV2: 1000 });
    await burst(client, 20);
    const c = client.counters();
    // Requests 11..20 wait 10, 20, ..., 100 ms on a clock that never moves.
    expect(c.waits).toBe(10);
    expect(c.waitMs).toBeCloseTo(550, 6);
    await client.close();
  });

  it("signatures use the injected wall clock (an hour off the server's is rejected)", async () => {
    const client = clientFor(emu, { now: () => Date.now() - 3_600_000 });
    await expect(client.encrypt(keyTag, "x")).rejects.toBeInstanceOf(KmsUnauthorizedError);
    await client.close();
  });
});
