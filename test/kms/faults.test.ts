import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  KmsBadRequestError,
  type KmsClient,
  KmsConnectionError,
  KmsServerError,
  KmsThrottledError,
  KmsTimeoutError,
} from "../../src/kms/index.js";
import { clientFor, emulatorWithKey, text } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;
let client: KmsClient;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey());
  client = clientFor(emu);
});
afterAll(async () => {
  await client.close();
  await emu.close();
});
beforeEach(() => {
  emu.resetStats();
  emu.faults.clear();
});

describe("transient faults are retried", () => {
  it.each([
    ["two 500s", () => emu.faults.failNext(2, { status: 500 })],
    ["two 503s", () => emu.faults.failNext(2, { status: 503 })],
    ["two 429s with Retry-After: 0", () => emu.faults.failNext(2, { status: 429, retryAfterSeconds: 0 })],
    ["two dropped connections", () => emu.faults.dropNext(2)],
  ])("%s, then success", async (_name, inject) => {
    const ct = await client.encrypt(keyTag, "payload");
    inject();
    const before = client.counters().retries;
    expect(text(await client.decrypt(keyTag, ct))).toBe("payload");
    expect(client.counters().retries - before).toBe(2);
    expect(emu.stats().byAction.decrypt).toBe(3);
  });

  it("honours Retry-After seconds on a 429", async () => {
    const waits: number[] = [];
    const c = clientFor(emu, { onEvent: (e) => e.type === "retry" && waits.push(e.delayMs) });
    emu.faults.failNext(1, { status: 429, retryAfterSeconds: 1 });
    await c.encrypt(keyTag, "x");
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(c.counters().throttled).toBe(1);
    await c.close();
  });
});

describe("persistent faults fail with the right error, bounded", () => {
  it("500s: KmsServerError after retries+1 attempts", async () => {
    const c = clientFor(emu, { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 } });
    emu.faults.failFraction(1, { status: 500 });
    const error = await c.encrypt(keyTag, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsServerError);
    expect(error).toMatchObject({ status: 500, ncpCode: "INTERNAL_SERVER_ERROR", attempts: 4 });
    expect(emu.stats().requests).toBe(4);
    await c.close();
  });

  it("429s: KmsThrottledError", async () => {
    const c = clientFor(emu, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } });
    emu.faults.failFraction(1, { status: 429 });
    await expect(c.encrypt(keyTag, "x")).rejects.toBeInstanceOf(KmsThrottledError);
    await c.close();
  });

  it("dropped connections: KmsConnectionError", async () => {
    const c = clientFor(emu, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } });
    emu.faults.dropNext(3);
    const error = await c.encrypt(keyTag, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsConnectionError);
    expect(error).toMatchObject({ code: "KMS_CONNECTION", attempts: 3 });
    await c.close();
  });

  it("slow responses: KmsTimeoutError", async () => {
    const c = clientFor(emu, { timeoutMs: 50, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 } });
    emu.faults.setLatency(1000);
    const error = await c.encrypt(keyTag, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsTimeoutError);
    expect(error).toMatchObject({ code: "KMS_TIMEOUT", attempts: 2 });
    emu.faults.clear();
    await c.close();
  });

  it("stops retrying when the next wait would pass maxElapsedMs", async () => {
    const c = clientFor(emu, { retry: { retries: 50, maxElapsedMs: 500 } });
    emu.faults.failFraction(1, { status: 429 }); // no Retry-After: full-jitter backoff
    const error = (await c.encrypt(keyTag, "x").catch((e: unknown) => e)) as KmsThrottledError;
    expect(error).toBeInstanceOf(KmsThrottledError);
    expect(error.attempts).toBeLessThan(51);
    await c.close();
  });

  it("a 400 is never retried", async () => {
    emu.faults.failNext(1, { status: 400 });
    const error = await client.encrypt(keyTag, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsBadRequestError);
    expect(error).toMatchObject({ attempts: 1 });
    expect(emu.stats().requests).toBe(1);
  });

  it("an unknown key is KMS_NOT_FOUND, a disabled one KMS_INVALID_STATUS", async () => {
    await expect(client.encrypt("no-such-key", "x")).rejects.toMatchObject({
      code: "KMS_NOT_FOUND",
      status: 404,
    });
    const { keyTag: other } = await emu.createKey({ keyName: "to-disable" });
    await emu.setKeyEnabled(other, false);
    await expect(client.encrypt(other, "x")).rejects.toMatchObject({
      code: "KMS_INVALID_STATUS",
      status: 422,
    });
  });
});
