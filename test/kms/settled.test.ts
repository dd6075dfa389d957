import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { KmsBadRequestError, type KmsClient } from "../../src/kms/index.js";
import { bytes, clientFor, emulatorWithKey, text } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;
let client: KmsClient;
let inputs: string[];
let cts: string[];

/** Flips one base64 character in the payload: same shape, fails authentication. */
function tamper(ct: string): string {
  const i = ct.length - 5;
  return ct.slice(0, i) + (ct[i] === "A" ? "B" : "A") + ct.slice(i + 1);
}

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey());
  client = clientFor(emu);
  inputs = Array.from({ length: 200 }, (_, i) => `secret-${i}`);
  cts = await client.encryptMany(keyTag, undefined, inputs.map(bytes));
});
afterAll(async () => {
  await client.close();
  await emu.close();
});
beforeEach(() => emu.resetStats());

describe("settled variants isolate bad items", () => {
  it("one tampered ciphertext among 200 fails alone (decryptManySettled)", async () => {
    const batch = [...cts];
    batch[137] = tamper(batch[137]!);
    const out = await client.decryptManySettled(keyTag, undefined, batch);
    expect(out).toHaveLength(200);
    out.forEach((r, i) => {
      if (i === 137) {
        expect(r.ok).toBe(false);
        expect(!r.ok && r.error).toBeInstanceOf(KmsBadRequestError);
      } else {
        expect(r.ok && text(r.value)).toBe(inputs[i]);
      }
    });
    // 1 failing request, then halving: about 2 per level, log2(200) ≈ 8 levels.
    expect(emu.stats().byAction.decrypt).toBeLessThanOrEqual(1 + 2 * 8);
  });

  it("re-encrypt: bad shape fails locally, tampered fails alone, the rest move", async () => {
    await emu.rotateKey(keyTag);
    const batch = cts.slice(0, 50);
    batch[3] = "not-a-ciphertext";
    batch[40] = tamper(batch[40]!);
    const out = await client.reencryptManySettled(keyTag, undefined, batch);
    expect(out.filter((r) => !r.ok).map((r) => out.indexOf(r))).toEqual([3, 40]);
    const moved = out.filter((r) => r.ok).map((r) => (r.ok ? r.value : ""));
    expect(moved.every((c) => c.startsWith("ncpkms:v2:"))).toBe(true);
    const back = await client.decryptMany(keyTag, undefined, [moved[0]!]);
    expect(text(back[0]!)).toBe(inputs[0]);
  });

  it("non-settled: a coalesced caller is not failed by another caller's tampered value", async () => {
    const good = client.decryptMany(keyTag, undefined, cts.slice(0, 20));
    const bad = client.decryptMany(keyTag, undefined, [tamper(cts[20]!)]);
    const [g, b] = await Promise.allSettled([good, bad]);
    expect(g.status).toBe("fulfilled");
    expect((g as PromiseFulfilledResult<Uint8Array[]>).value.map(text)).toEqual(inputs.slice(0, 20));
    expect(b.status).toBe("rejected");
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(KmsBadRequestError);
  });
});
