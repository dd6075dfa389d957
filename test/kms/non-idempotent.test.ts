/**
 * createKey, rotateKey and createTokenSet change state on the server, so they
 * are never sent twice once the request may have reached it (a dropped
 * connection after forwarding, a timeout). They are retried only when the
 * request surely did not arrive (connection refused) or on a 429.
 */
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  createKmsClient,
  type KmsClientOptions,
  KmsConnectionError,
  KmsTimeoutError,
} from "../../src/kms/index.js";
import { startTcpProxy, type TcpProxy } from "./fixtures/tcp-proxy.js";
import { emulatorWithKey, text } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;
let proxy: TcpProxy;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({}, { keyName: "idem-key" }));
  proxy = await startTcpProxy(emu.url);
});
afterAll(async () => {
  await proxy.close();
  await emu.close();
});
beforeEach(() => {
  emu.resetStats();
  emu.faults.clear();
  proxy.reset();
});

function viaProxy(extra: Partial<KmsClientOptions> = {}) {
  const { accessKey, secretKey } = emu.credentials;
  return createKmsClient({
    endpoint: proxy.url,
    auth: { type: "signature", accessKey, secretKey },
    retry: { minDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

const versionOf = (tag: string) => emu.listKeys().find((k) => k.keyTag === tag)?.version;

describe("a request that reached the server is not repeated", () => {
  it("rotateKey, connection dropped after forwarding: one rotation, KmsConnectionError", async () => {
    const { keyTag: tag } = await emu.createKey({ keyName: "rot-drop" });
    const client = viaProxy();
    proxy.dropNext(1);
    const error = await client.rotateKey(tag).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsConnectionError);
    expect(error).toMatchObject({ code: "KMS_CONNECTION", attempts: 1, action: "rotate-key" });
    expect(emu.stats().byAction.rotate).toBe(1);
    expect(versionOf(tag)).toBe(2);
    await client.close();
  });

  it("createKey, connection dropped after forwarding: one key, KmsConnectionError", async () => {
    const client = viaProxy();
    proxy.dropNext(1);
    const error = await client.createKey({ keyName: "made-once" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsConnectionError);
    expect(error).toMatchObject({ attempts: 1 });
    expect(emu.listKeys().filter((k) => k.keyName === "made-once")).toHaveLength(1);
    await client.close();
  });

  it("createTokenSet, connection dropped after forwarding: one token-set request", async () => {
    const client = viaProxy();
    proxy.dropNext(1);
    await expect(client.createTokenSet(keyTag)).rejects.toBeInstanceOf(KmsConnectionError);
    expect(emu.stats().byAction["token-set"]).toBe(1);
    await client.close();
  });

  it("rotateKey, no answer within timeoutMs: one rotation, KmsTimeoutError", async () => {
    const { keyTag: tag } = await emu.createKey({ keyName: "rot-hold" });
    const client = viaProxy({ timeoutMs: 300 });
    proxy.hold = true;
    const error = await client.rotateKey(tag).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsTimeoutError);
    expect(error).toMatchObject({ attempts: 1 });
    expect(versionOf(tag)).toBe(2);
    await client.close();
  });

  it("encrypt (idempotent) through the same drop is still retried and succeeds", async () => {
    const client = viaProxy();
    const ct = await client.encrypt(keyTag, "retry me");
    proxy.dropNext(2);
    expect(text(await client.decrypt(keyTag, ct))).toBe("retry me");
    expect(client.counters().retries).toBe(2);
    expect(emu.stats().byAction.decrypt).toBe(3);
    await client.close();
  });
});

describe("a request that surely did not reach the server is retried", () => {
  it("rotateKey against a refused port: retried, then KmsConnectionError after every attempt", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { accessKey, secretKey } = emu.credentials;
    const client = createKmsClient({
      endpoint: `http://127.0.0.1:${port}`,
      auth: { type: "signature", accessKey, secretKey },
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });
    const error = await client.rotateKey(keyTag).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsConnectionError);
    expect(error).toMatchObject({ attempts: 3 });
    await client.close();
  });

  it("rotateKey after a 429 with Retry-After: retried, one rotation", async () => {
    const { keyTag: tag } = await emu.createKey({ keyName: "rot-429" });
    const client = viaProxy();
    emu.faults.failNext(1, { status: 429, retryAfterSeconds: 0, action: "rotate" });
    const rotated = await client.rotateKey(tag);
    expect(rotated.version).toBe(2);
    expect(client.counters().retries).toBe(1);
    await client.close();
  });

  it("rotateKey after a 503: not retried (the server may have acted)", async () => {
    const { keyTag: tag } = await emu.createKey({ keyName: "rot-503" });
    const client = viaProxy();
    emu.faults.failNext(1, { status: 503, action: "rotate" });
    await expect(client.rotateKey(tag)).rejects.toMatchObject({ code: "KMS_SERVER_ERROR", attempts: 1 });
    expect(client.counters().retries).toBe(0);
    await client.close();
  });
});
