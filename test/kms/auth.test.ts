import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createKmsClient, KmsUnauthorizedError } from "../../src/kms/index.js";

let emu: RunningEmulator;
let keyTag: string;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  keyTag = (await emu.createKey({ keyName: "auth-key" })).keyTag;
});
afterAll(() => emu.close());

async function roundTrip(client: ReturnType<typeof createKmsClient>): Promise<string[]> {
  try {
    const ct = await client.encryptMany(keyTag, undefined, [bytes("alpha"), bytes("beta")]);
    expect(ct[0]).toMatch(/^ncpkms:v1:/);
    const pt = await client.decryptMany(keyTag, undefined, ct);
    return pt.map(text);
  } finally {
    await client.close();
  }
}

describe("auth modes", () => {
  it("API 2.0 with account auth (signature v2)", async () => {
    const { accessKey, secretKey } = emu.credentials;
    const client = createKmsClient({ endpoint: emu.url, auth: { type: "signature", accessKey, secretKey } });
    expect(await roundTrip(client)).toEqual(["alpha", "beta"]);
    expect(emu.stats().byAction.encrypt).toBeGreaterThanOrEqual(1);
  });

  it("API 2.0 with an access token", async () => {
    const { accessToken } = await emu.issueTokens(keyTag);
    const client = createKmsClient({
      endpoint: emu.url,
      auth: { type: "token", tokens: { [keyTag]: { accessToken } } },
    });
    expect(await roundTrip(client)).toEqual(["alpha", "beta"]);
  });

  it("API 1.0 with signature v1 (API Gateway key)", async () => {
    const client = createKmsClient({
      api: "v1",
      endpoint: emu.url,
      auth: { type: "signature", signatureVersion: 1, ...emu.credentials },
    });
    expect(await roundTrip(client)).toEqual(["alpha", "beta"]);
  });

  it("API 1.0 with signature v2", async () => {
    const { accessKey, secretKey } = emu.credentials;
    const client = createKmsClient({
      api: "v1",
      endpoint: emu.url,
      auth: { type: "signature", signatureVersion: 2, accessKey, secretKey },
    });
    expect(await roundTrip(client)).toEqual(["alpha", "beta"]);
  });

  it("a wrong secret key is a typed 401, not retried", async () => {
    const client = createKmsClient({
      endpoint: emu.url,
      auth: { type: "signature", accessKey: emu.credentials.accessKey, secretKey: "wrong-secret" },
    });
    const before = emu.stats().requests;
    const error = await client.encrypt(keyTag, "x").catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(KmsUnauthorizedError);
    expect(error).toMatchObject({
      code: "KMS_UNAUTHORIZED",
      status: 401,
      attempts: 1,
      action: "encrypt",
      keyTag,
    });
    expect(emu.stats().requests - before).toBe(1);
  });
});
