import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { type KmsClient, KmsValueTooLargeError } from "../../src/kms/index.js";
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
beforeEach(() => emu.resetStats());

/** `n` values of `size` bytes, each recognisable by its index. */
function values(n: number, size: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new TextEncoder().encode(String(i).padStart(size, "x")));
}

describe("chunking at the 32 KB request limit", () => {
  it("fits exactly 32768 bytes into one request", async () => {
    const vs = values(32, 1024); // 32 × 1024 = 32768
    const ct = await client.encryptMany(keyTag, undefined, vs);
    expect(emu.stats().byAction.encrypt).toBe(1);
    expect(emu.stats().errors).toEqual({});
    expect((await client.decryptMany(keyTag, undefined, ct)).map(text)).toEqual(vs.map(text));
  });

  it("splits at one byte over, keeping order across requests", async () => {
    const vs = [...values(31, 1024), ...values(1, 1025)];
    const ct = await client.encryptMany(keyTag, undefined, vs);
    expect(emu.stats().byAction.encrypt).toBe(2);
    expect(emu.stats().errors).toEqual({});
    expect((await client.decryptMany(keyTag, undefined, ct)).map(text)).toEqual(vs.map(text));
  });

  it("a single value of exactly 32768 bytes is accepted", async () => {
    const [ct] = await client.encryptMany(keyTag, undefined, values(1, 32_768));
    expect((await client.decryptMany(keyTag, undefined, [ct!])).map((b) => b.byteLength)).toEqual([32_768]);
  });

  it("rejects a value over 32 KB before sending anything, naming its size only", async () => {
    const big = values(1, 32_769)[0]!;
    const error = await client
      .encryptMany(keyTag, undefined, [values(1, 10)[0]!, big])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsValueTooLargeError);
    expect(error).toMatchObject({ code: "KMS_VALUE_TOO_LARGE", sizeBytes: 32_769, limitBytes: 32_768 });
    expect((error as Error).message).toContain("32769");
    expect((error as Error).message).not.toContain("xxxx");
    expect(emu.stats().requests).toBe(0);
  });

  it("honours maxItemsPerRequest, keeping order", async () => {
    const small = clientFor(emu, { maxItemsPerRequest: 7 });
    const vs = values(50, 8);
    const ct = await small.encryptMany(keyTag, undefined, vs);
    expect(emu.stats().byAction.encrypt).toBe(8); // ceil(50 / 7)
    expect((await small.decryptMany(keyTag, undefined, ct)).map(text)).toEqual(vs.map(text));
    await small.close();
  });
});
