import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { type KmsClient, KmsServerError } from "../../src/kms/index.js";
import { bytes, clientFor, emulatorWithKey, text } from "./helpers.js";

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

describe("coalescing concurrent callers", () => {
  it("500 concurrent single-value encrypts take ≤ 10 requests; each caller gets its own ciphertext", async () => {
    const inputs = Array.from({ length: 500 }, (_, i) => `value-${i}`);
    const cts = await Promise.all(inputs.map((v) => client.encrypt(keyTag, v)));
    expect(emu.stats().byAction.encrypt).toBeLessThanOrEqual(10);
    expect(new Set(cts).size).toBe(500);
    // Decrypt each one individually (also coalesced) and check it is the caller's own value.
    const back = await Promise.all(cts.map((c) => client.decrypt(keyTag, c)));
    expect(back.map(text)).toEqual(inputs);
    expect(emu.stats().byAction.decrypt).toBeLessThanOrEqual(10);
  });

  it("keeps different contexts apart (separate groups, each decrypts with its own context)", async () => {
    const a = Array.from({ length: 20 }, (_, i) => client.encrypt(keyTag, `a${i}`, { context: "ctx-A" }));
    const b = Array.from({ length: 20 }, (_, i) => client.encrypt(keyTag, `b${i}`, { context: "ctx-B" }));
    const [ca, cb] = await Promise.all([Promise.all(a), Promise.all(b)]);
    expect(emu.stats().byAction.encrypt).toBe(2);
    expect(text(await client.decrypt(keyTag, ca[3]!, { context: "ctx-A" }))).toBe("a3");
    expect(text(await client.decrypt(keyTag, cb[5]!, { context: "ctx-B" }))).toBe("b5");
    await expect(client.decrypt(keyTag, ca[3]!, { context: "ctx-B" })).rejects.toMatchObject({
      code: "KMS_BAD_REQUEST",
    });
  });

  it("a failing request fails only the callers whose values were in it", async () => {
    const few = clientFor(emu, { maxItemsPerRequest: 10, retry: { retries: 0 } });
    emu.faults.failNext(1, { status: 500, action: "encrypt" });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => few.encryptMany(keyTag, undefined, [bytes(`v${i}`)])),
    );
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed).toHaveLength(10);
    for (const f of failed) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(KmsServerError);
    expect(emu.stats().byAction.encrypt).toBe(3);
    await few.close();
  });

  it("with coalesceWindowMs > 0, calls spread over a few ms still merge", async () => {
    const windowed = clientFor(emu, { coalesceWindowMs: 30 });
    const calls: Array<Promise<string>> = [];
    for (let i = 0; i < 5; i++) {
      calls.push(windowed.encrypt(keyTag, `w${i}`));
      await new Promise((r) => setImmediate(r)); // a separate macrotask each time
    }
    await Promise.all(calls);
    expect(emu.stats().byAction.encrypt).toBe(1);
    await windowed.close();
  });
});
