/**
 * Bounds: a response body larger than `maxResponseBytes` is cut off with a
 * typed error (the client stops reading, so memory stays bounded), and the
 * coalescer never builds a batch over `maxBatchSize` items.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { Coalescer, type Scheduler } from "../../src/kms/coalescer.js";
import { createKmsClient, KmsResponseTooLargeError } from "../../src/kms/index.js";
import type { Settled } from "../../src/kms/types.js";
import { bytes, clientFor, emulatorWithKey, text } from "./helpers.js";

const MB = 1024 * 1024;

/** A server answering every request with a 200 JSON body of `totalBytes`, streamed with backpressure. */
async function streamingServer(totalBytes: number, declareLength: boolean) {
  const stats = { sent: 0, finished: false };
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, {
      "content-type": "application/json",
      ...(declareLength ? { "content-length": String(totalBytes) } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (stats.sent < totalBytes) {
        stats.sent += chunk.length;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      stats.finished = true;
      res.end();
    };
    res.on("close", () => undefined);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("response body cap", () => {
  it.each([
    ["chunked (no length)", false],
    ["with a Content-Length", true],
  ])("a 100 MB body, %s: KmsResponseTooLargeError, reading stops early", async (_name, declareLength) => {
    const server = await streamingServer(100 * MB, declareLength);
    const client = createKmsClient({
      endpoint: server.url,
      auth: { type: "signature", accessKey: "ak", secretKey: "sk" },
      maxResponseBytes: 1 * MB,
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const error = await client.encrypt("some-key", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsResponseTooLargeError);
    expect(error).toMatchObject({ code: "KMS_RESPONSE_TOO_LARGE", attempts: 1, limitBytes: MB });
    expect((error as Error).message).toContain("1048576");
    // The client dropped the connection: the server could not push anywhere near 100 MB.
    expect(server.stats.finished).toBe(false);
    expect(server.stats.sent).toBeLessThan(32 * MB);
    // Nothing like the body was buffered (a full read would hold ≥ 100 MB).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * MB);
    await client.close();
    await server.close();
  });
});

describe("coalescer max batch size", () => {
  it("splits a burst into batches of at most maxBatchSize; each caller gets its own slice", async () => {
    const flushes: Array<() => void> = [];
    const scheduler: Scheduler = { defer: (fn) => flushes.push(fn), sleep: async () => undefined };
    const batches: number[][] = [];
    const coalescer = new Coalescer<string, number, number>({
      windowMs: 0,
      scheduler,
      maxBatchSize: 3,
      run: async (_g, items) => {
        batches.push([...items]);
        return items.map((i): Settled<number> => ({ ok: true, value: i * 10 }));
      },
    });
    const a = coalescer.submit("k", "g", [1, 2]);
    const b = coalescer.submit("k", "g", [3, 4]);
    const c = coalescer.submit("k", "g", [5, 6, 7, 8]);
    for (const f of flushes.splice(0)) f();
    const values = async (p: Promise<Array<Settled<number>>>) =>
      (await p).map((s) => (s.ok ? s.value : Number.NaN));
    expect(await values(a)).toEqual([10, 20]);
    expect(await values(b)).toEqual([30, 40]);
    expect(await values(c)).toEqual([50, 60, 70, 80]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
  });

  it("rejects only the callers whose items were in a failed batch", async () => {
    const flushes: Array<() => void> = [];
    const scheduler: Scheduler = { defer: (fn) => flushes.push(fn), sleep: async () => undefined };
    const coalescer = new Coalescer<string, number, number>({
      windowMs: 0,
      scheduler,
      maxBatchSize: 2,
      run: async (_g, items) => {
        if (items.includes(3)) throw new Error("batch failed");
        return items.map((i): Settled<number> => ({ ok: true, value: i }));
      },
    });
    const a = coalescer.submit("k", "g", [1, 2]);
    const b = coalescer.submit("k", "g", [3]);
    for (const f of flushes.splice(0)) f();
    expect((await a).length).toBe(2);
    await expect(b).rejects.toThrow("batch failed");
  });

  describe("through the client", () => {
    let emu: RunningEmulator;
    let keyTag: string;
    beforeAll(async () => {
      ({ emu, keyTag } = await emulatorWithKey({}, { keyName: "batch-cap" }));
    });
    afterAll(() => emu.close());

    it("25 concurrent encrypts with maxBatchSize 10: requests of 10, 10 and 5", async () => {
      const client = clientFor(emu, { maxBatchSize: 10 });
      emu.resetStats();
      const cts = await Promise.all(Array.from({ length: 25 }, (_, i) => client.encrypt(keyTag, `v${i}`)));
      expect(emu.stats().byAction.encrypt).toBe(3);
      expect(emu.stats().values).toBe(25);
      expect(text(await client.decrypt(keyTag, cts[24]!))).toBe("v24");
      const [one] = await client.encryptMany(keyTag, undefined, [bytes("solo")]);
      expect(one).toMatch(/^ncpkms:v1:/);
      await client.close();
    });
  });
});
