import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, v1, v2 } from "./sign.js";

// A quota of 0.1 TPS has a burst of one request and refills one token every
// 10 s: far longer than any of these tests takes, so the outcomes do not
// depend on the machine's speed.
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ tpsV1: 0.1, tpsV2: 0.1 });
});
afterAll(() => emu.close());

const encrypt = (path: string, plaintext: string | string[], auth: "v1" | "v2" = "v2") =>
  call(emu, path, { auth: { kind: auth }, body: { plaintext } });

describe("TPS quota", () => {
  it("answers 429 TOO_MANY_REQUESTS with Retry-After in whole seconds when over the per-key quota", async () => {
    const { keyTag } = await emu.createKey({ keyName: "q-key" });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => encrypt(v2(keyTag, "encrypt"), b64("x"))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 429, 429, 429, 429]);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.json.code).toBe("TOO_MANY_REQUESTS");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(10);
    expect(String(limited.headers["retry-after"])).toMatch(/^\d+$/);
  });

  it("API 2.0 quotas are per key; key management does not count", async () => {
    const a = (await emu.createKey({ keyName: "q-a" })).keyTag;
    const b = (await emu.createKey({ keyName: "q-b" })).keyTag;
    expect((await encrypt(v2(a, "encrypt"), b64("x"))).status).toBe(200);
    expect((await encrypt(v2(b, "encrypt"), b64("x"))).status).toBe(200);
    expect((await call(emu, `/kms/v1/keys/${a}`, { method: "GET" })).status).toBe(200);
    expect((await call(emu, v2(a, "token-set"), { body: {} })).status).toBe(200);
  });

  it("API 1.0 shares one quota across all keys of the account", async () => {
    const a = (await emu.createKey({ keyName: "q-v1a" })).keyTag;
    const b = (await emu.createKey({ keyName: "q-v1b" })).keyTag;
    const first = await encrypt(v1(1, a, "encrypt"), b64("x"), "v1");
    const second = await encrypt(v1(2, b, "encrypt"), b64("x"));
    expect([first.status, second.status]).toEqual([200, 429]);
  });

  it("an array request counts as one transaction", async () => {
    // A burst of 3: three 100-value arrays pass only if each counts once.
    emu.setQuota({ tpsV2: 3 });
    const { keyTag } = await emu.createKey({ keyName: "q-array" });
    emu.resetStats();
    const hundred = Array.from({ length: 100 }, (_, i) => b64(`v${i}`));
    const results = await Promise.all(
      Array.from({ length: 3 }, () => encrypt(v2(keyTag, "encrypt"), hundred)),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const stats = emu.stats();
    expect(stats.values).toBe(300);
    expect(stats.throttled).toBe(0);
  });

  it("counts 429s in stats", async () => {
    emu.setQuota({ tpsV2: 0.1 });
    const { keyTag } = await emu.createKey({ keyName: "q-stats" });
    emu.resetStats();
    await encrypt(v2(keyTag, "encrypt"), b64("a"));
    await encrypt(v2(keyTag, "encrypt"), b64("b"));
    expect(emu.stats()).toMatchObject({ throttled: 1, errors: { "429": 1 } });
  });

  it("setQuota raises the limit at run time", async () => {
    const { keyTag } = await emu.createKey({ keyName: "q-raise" });
    emu.setQuota({ tpsV2: 1000 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => encrypt(v2(keyTag, "encrypt"), b64("x"))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});
