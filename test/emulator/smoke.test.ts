import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, unb64, v1, v2 } from "./sign.js";

let emu: RunningEmulator;
let keyTag: string;

beforeAll(async () => {
  emu = await startEmulator();
  keyTag = (await emu.createKey({ keyName: "smoke" })).keyTag;
});
afterAll(() => emu.close());

describe("smoke", () => {
  it("encrypts and decrypts on API 2.0 with signature v2", async () => {
    const enc = await call(emu, v2(keyTag, "encrypt"), { body: { plaintext: [b64("a"), b64("b")] } });
    expect(enc.status).toBe(200);
    const ct = enc.json.data!.ciphertext as string[];
    expect(ct[0]).toMatch(/^ncpkms:v1:/);
    const dec = await call(emu, v2(keyTag, "decrypt"), { body: { ciphertext: ct } });
    expect((dec.json.data!.plaintext as string[]).map(unb64)).toEqual(["a", "b"]);
  });
  it("works on API 1.0 with signature v1", async () => {
    const enc = await call(emu, v1(1, keyTag, "encrypt"), {
      auth: { kind: "v1" },
      body: { plaintext: b64("x") },
    });
    expect(enc.status).toBe(200);
    expect(typeof enc.json.data!.ciphertext).toBe("string");
  });
});
