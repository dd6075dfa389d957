import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, unb64, v1, v2 } from "./sign.js";

let emu: RunningEmulator;
const ctx = b64("orders.note");

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const encrypt = (tag: string, plaintext: string | string[], context?: string) =>
  call(emu, v2(tag, "encrypt"), { body: { plaintext, ...(context ? { context } : {}) } });
const decrypt = (tag: string, ciphertext: string | string[], context?: string) =>
  call(emu, v2(tag, "decrypt"), { body: { ciphertext, ...(context ? { context } : {}) } });

describe("rotation", () => {
  for (const isConvergent of [false, true]) {
    it(`${isConvergent ? "convergent" : "normal"} key: old versions decrypt, encrypt uses the newest, re-encrypt moves`, async () => {
      const info = await emu.createKey({ keyName: isConvergent ? "rot-conv" : "rot-aes", isConvergent });
      const tag = info.keyTag;
      expect(info.version).toBe(1);
      const context = isConvergent ? ctx : undefined;
      const v1ct = (await encrypt(tag, [b64("one"), b64("two")], context)).json.data!.ciphertext as string[];
      expect(v1ct.every((c) => c.startsWith("ncpkms:v1:"))).toBe(true);

      expect(await emu.rotateKey(tag)).toEqual({ keyTag: tag, version: 2 });
      const v2ct = (await encrypt(tag, b64("three"), context)).json.data!.ciphertext as string;
      expect(v2ct).toMatch(/^ncpkms:v2:/);

      const dec = await decrypt(tag, [...v1ct, v2ct], context);
      expect((dec.json.data!.plaintext as string[]).map(unb64)).toEqual(["one", "two", "three"]);

      const moved = await call(emu, v2(tag, "re-encrypt"), {
        body: { ciphertext: v1ct, ...(context ? { context } : {}) },
      });
      expect(moved.status).toBe(200);
      const fresh = moved.json.data!.newCiphertext as string[];
      expect(fresh.every((c) => c.startsWith("ncpkms:v2:"))).toBe(true);
      expect((await decrypt(tag, fresh, context)).json.data!.plaintext).toEqual([b64("one"), b64("two")]);
    });
  }

  it("re-encrypt keeps a string a string, and works on API 1.0", async () => {
    const tag = (await emu.createKey({ keyName: "rot-v1" })).keyTag;
    const ct = (await encrypt(tag, b64("s"))).json.data!.ciphertext as string;
    await emu.rotateKey(tag);
    await emu.rotateKey(tag);
    const moved = await call(emu, v1(1, tag, "re-encrypt"), {
      auth: { kind: "v1" },
      body: { ciphertext: ct },
    });
    expect(moved.json.data!.newCiphertext).toMatch(/^ncpkms:v3:/);
  });

  it("a ciphertext relabelled to another existing version fails authentication (400)", async () => {
    const tag = (await emu.createKey({ keyName: "relabel" })).keyTag;
    const ct = (await encrypt(tag, b64("x"))).json.data!.ciphertext as string;
    await emu.rotateKey(tag);
    const res = await decrypt(tag, ct.replace("ncpkms:v1:", "ncpkms:v2:"));
    expect(res.status).toBe(400);
  });

  it("rotates over HTTP with account auth and reports the new version", async () => {
    const tag = (await emu.createKey({ keyName: "rot-http" })).keyTag;
    const res = await call(emu, v2(tag, "rotate"), { body: {} });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ keyTag: tag, version: 2 });
    expect(typeof res.json.data!.rotatedDate).toBe("number");
  });

  it("refuses to rotate a disabled key (422)", async () => {
    const tag = (await emu.createKey({ keyName: "rot-off" })).keyTag;
    await emu.setKeyEnabled(tag, false);
    const res = await call(emu, v2(tag, "rotate"));
    expect(res.status).toBe(422);
    await expect(emu.rotateKey(tag)).rejects.toMatchObject({ code: "INVALID_STATUS", status: 422 });
  });
});
