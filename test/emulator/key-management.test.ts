import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, v2 } from "./sign.js";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const base = { keyType: "AES256", isAutoRotation: false, protectionType: "BASIC" };
const create = (body: Record<string, unknown>) => call(emu, "/kms/v1/keys", { body });

describe("POST /kms/v1/keys", () => {
  it("creates a key and returns the contract's fields", async () => {
    const res = await create({ ...base, keyName: "Customer_1", memo: "test" });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({
      keyName: "Customer_1",
      keyType: "AES256",
      status: "ENABLED",
      protectionType: "BASIC",
      memo: "test",
      isConvergent: false,
      isAutoRotation: false,
      version: 1,
    });
    for (const field of [
      "keyId",
      "keyTag",
      "keystoreId",
      "registerDate",
      "rotationPeriod",
      "nextRotationDate",
    ]) {
      expect(res.json.data).toHaveProperty(field);
    }
    expect(res.json.data!.keyTag).toMatch(/^[0-9a-f]{64}$/);
    const enc = await call(emu, v2(String(res.json.data!.keyTag), "encrypt"), {
      body: { plaintext: b64("x") },
    });
    expect(enc.status).toBe(200);
  });

  it("creates convergent, RSA2048 and ECDSA keys, with auto-rotation defaults", async () => {
    const conv = await create({ ...base, keyName: "conv-http", isConvergent: true, isAutoRotation: true });
    expect(conv.json.data).toMatchObject({ isConvergent: true, rotationPeriod: 90 });
    expect(typeof conv.json.data!.nextRotationDate).toBe("number");
    expect((await create({ ...base, keyName: "rsa-http", keyType: "RSA2048" })).json.data!.keyType).toBe(
      "RSA2048",
    );
    expect((await create({ ...base, keyName: "ec-http", keyType: "ECDSA" })).json.data!.keyType).toBe(
      "ECDSA",
    );
  });

  it("validates every field (400)", async () => {
    const bad: Array<Record<string, unknown>> = [
      { ...base, keyName: "ab" },
      { ...base, keyName: "a".repeat(16) },
      { ...base, keyName: "1abc" },
      { ...base, keyName: "has space" },
      { ...base, keyName: "okname", keyType: "DES" },
      { ...base, keyName: "okname", keyType: "RSA2048", isConvergent: true },
      { keyName: "okname", keyType: "AES256", protectionType: "BASIC" },
      { keyName: "okname", keyType: "AES256", isAutoRotation: false },
      { ...base, keyName: "okname", rotationPeriod: 731 },
      { ...base, keyName: "okname", memo: "m".repeat(101) },
      { ...base, keyName: "okname", surprise: true },
    ];
    for (const body of bad) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.code).toBe("INVALID_REQUEST");
    }
  });

  it("refuses a duplicate key name", async () => {
    expect((await create({ ...base, keyName: "dupe" })).status).toBe(200);
    expect((await create({ ...base, keyName: "dupe" })).status).toBe(400);
  });

  it("needs account auth", async () => {
    expect(
      (await call(emu, "/kms/v1/keys", { auth: { kind: "none" }, body: { ...base, keyName: "noauth" } }))
        .status,
    ).toBe(401);
  });
});

describe("list, get, enable, disable ([ours])", () => {
  it("lists keys and gets one with its versions", async () => {
    const { keyTag } = await emu.createKey({ keyName: "listed" });
    await emu.rotateKey(keyTag);
    const list = await call(emu, "/kms/v1/keys", { method: "GET" });
    expect(list.status).toBe(200);
    const keys = list.json.data!.keys as Array<{ keyTag: string }>;
    expect(keys.map((k) => k.keyTag)).toContain(keyTag);
    const one = await call(emu, `/kms/v1/keys/${keyTag}`, { method: "GET" });
    expect(one.json.data).toMatchObject({ keyTag, version: 2, tokenCreatorEnabled: true });
    expect((one.json.data!.versions as unknown[]).length).toBe(2);
    expect((await call(emu, `/kms/v1/keys/${"f".repeat(64)}`, { method: "GET" })).status).toBe(404);
    expect(emu.listKeys().map((k) => k.keyTag)).toContain(keyTag);
  });

  it("disables and enables over HTTP", async () => {
    const { keyTag } = await emu.createKey({ keyName: "switch" });
    const off = await call(emu, v2(keyTag, "disable"));
    expect(off.json.data!.status).toBe("DISABLED");
    expect((await call(emu, v2(keyTag, "encrypt"), { body: { plaintext: b64("x") } })).status).toBe(422);
    const on = await call(emu, v2(keyTag, "enable"), { body: {} });
    expect(on.json.data!.status).toBe("ENABLED");
    expect((await call(emu, v2(keyTag, "encrypt"), { body: { plaintext: b64("x") } })).status).toBe(200);
  });
});
