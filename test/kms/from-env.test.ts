/**
 * `createKmsClientFromEnv` / `kmsKeysFromEnv`: the README's set-up snippet
 * reads the same NCP_* variables the CLI reads and the emulator prints, and
 * works against the emulator over real HTTP. Errors name the variable, never
 * its value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import {
  createKmsClientFromEnv,
  KmsInvalidOptionError,
  kmsKeysFromEnv,
  kmsOptionsFromEnv,
} from "../../src/kms/index.js";
import { bytes, text } from "./helpers.js";

describe("KMS client from the environment", () => {
  let emu: RunningEmulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    const plain = await emu.createKey({ keyName: "default" });
    const convergent = await emu.createKey({ keyName: "searchable", isConvergent: true });
    env = {
      NCP_KMS_ENDPOINT: emu.url,
      NCP_ACCESS_KEY: emu.credentials.accessKey,
      NCP_SECRET_KEY: emu.credentials.secretKey,
      NCP_KMS_KEYS: `default=${plain.keyTag},searchable=${convergent.keyTag}`,
    };
  });

  afterAll(async () => {
    await emu?.close();
  });

  it("talks to NCP_KMS_ENDPOINT with the signature credentials, keys from NCP_KMS_KEYS", async () => {
    const kms = createKmsClientFromEnv(env);
    try {
      const keys = kmsKeysFromEnv(env);
      expect(Object.keys(keys)).toEqual(["default", "searchable"]);
      const [ciphertext] = await kms.encryptMany(keys.default!, undefined, [bytes("hello")]);
      expect(ciphertext).toMatch(/^ncpkms:v1:/);
      const [back] = await kms.decryptMany(keys.default!, undefined, [ciphertext!]);
      expect(text(back!)).toBe("hello");
      expect(emu.stats().requests).toBeGreaterThanOrEqual(2);
    } finally {
      await kms.close();
    }
  });

  it("reads NCP_KMS_API, NCP_KMS_TPS and the API gateway key (v1 only); overrides win", () => {
    const v1 = kmsOptionsFromEnv({ ...env, NCP_KMS_API: "v1", NCP_KMS_TPS: "50", NCP_API_GATEWAY_KEY: "gw" });
    expect(v1).toMatchObject({ api: "v1", tps: 50, endpoint: emu.url });
    expect(v1.auth).toMatchObject({ type: "signature", signatureVersion: 1, apiGatewayKey: "gw" });
    const v2 = kmsOptionsFromEnv({ ...env, NCP_API_GATEWAY_KEY: "gw" }, { tps: 10 });
    expect(v2).toMatchObject({ api: "v2", tps: 10 });
    expect(v2.auth).not.toHaveProperty("apiGatewayKey");
  });

  it.each([
    [{ NCP_KMS_API: "v3" }, "NCP_KMS_API"],
    [{ NCP_KMS_TPS: "fast" }, "NCP_KMS_TPS"],
    [{ NCP_KMS_ENDPOINT: "ocapi.ncloud.com" }, "NCP_KMS_ENDPOINT"],
    [{ NCP_SECRET_KEY: "" }, "NCP_SECRET_KEY"],
  ])("a malformed %o is a KMS_INVALID_OPTION naming %s, not its value", (bad, name) => {
    const error = (() => {
      try {
        kmsOptionsFromEnv({ ...env, ...bad });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KmsInvalidOptionError);
    expect((error as KmsInvalidOptionError).code).toBe("KMS_INVALID_OPTION");
    expect((error as Error).message).toContain(name);
    for (const value of [...Object.values(bad), env.NCP_ACCESS_KEY!].filter((v) => v.length > 2)) {
      expect((error as Error).message).not.toContain(value);
    }
  });

  it("no credentials at all: says which variables to set", () => {
    expect(() => kmsOptionsFromEnv({ NCP_KMS_ENDPOINT: emu.url })).toThrow(
      /NCP_ACCESS_KEY and NCP_SECRET_KEY/,
    );
  });

  it("NCP_KMS_KEYS missing or malformed: names the variable and the entry, not the tags", () => {
    expect(() => kmsKeysFromEnv({})).toThrow(/NCP_KMS_KEYS.*not set/);
    const error = (() => {
      try {
        kmsKeysFromEnv({ NCP_KMS_KEYS: "default=abc123,searchable" });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain("entry 2");
    expect(error?.message).not.toContain("abc123");
  });
});
