import { connect } from "node:net";
import { Pool, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { authHeaders, b64, call, v2 } from "./sign.js";

let emu: RunningEmulator;
let keyTag: string;

beforeAll(async () => {
  emu = await startEmulator({ tpsV1: 1_000_000, tpsV2: 1_000_000 });
  keyTag = (await emu.createKey({ keyName: "robust" })).keyTag;
});
afterAll(() => emu.close());

const alive = async () => {
  const res = await call(emu, v2(keyTag, "encrypt"), { body: { plaintext: b64("still here") } });
  expect(res.status).toBe(200);
};

/** Sends raw bytes on a fresh socket and returns what comes back before the server closes or 2 s pass. */
function raw(bytes: string | Buffer): Promise<string> {
  const { port } = new URL(emu.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("error", () => resolve(text));
    socket.on("close", () => resolve(text));
    socket.setTimeout(2000, () => socket.destroy());
    socket.write(bytes);
  });
}

describe("bad input never crashes the server", () => {
  it("malformed JSON → 400 INVALID_REQUEST without quoting the body", async () => {
    const res = await call(emu, v2(keyTag, "encrypt"), { rawBody: '{"plaintext": "SECRETPART' });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("INVALID_REQUEST");
    expect(res.json.msg).not.toContain("SECRETPART");
    await alive();
  });

  it("wrong JSON shapes, unknown and missing fields → 400", async () => {
    for (const body of [
      [1, 2],
      "text",
      null,
      {},
      { plaintext: 5 },
      { plaintext: [b64("a"), 7] },
      { plaintext: b64("a"), extra: true },
      { ciphertext: "x" },
    ]) {
      const res = await call(emu, v2(keyTag, "encrypt"), { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.code).toBe("INVALID_REQUEST");
    }
    expect((await call(emu, v2(keyTag, "encrypt"), {})).status).toBe(400);
    await alive();
  });

  it("wrong method → 405 with Allow; unknown path or action → 404", async () => {
    const get = await call(emu, v2(keyTag, "encrypt"), { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.json.code).toBe("INVALID_REQUEST");
    expect(get.headers.allow).toBe("POST");
    expect((await call(emu, "/kms/v1/keys", { method: "DELETE" })).status).toBe(405);
    expect((await call(emu, `/kms/v1/keys/${keyTag}`, { method: "POST" })).status).toBe(405);
    expect((await call(emu, v2(keyTag, "explode"), {})).status).toBe(404);
    expect((await call(emu, `/keys/v1/${keyTag}/create-custom-key`, { auth: { kind: "v1" } })).status).toBe(
      404,
    );
    expect((await call(emu, "/", { method: "GET" })).json.code).toBe("NOT_FOUND");
    await alive();
  });

  it("a body over the cap is refused (400) from Content-Length, before it is read", async () => {
    const body = JSON.stringify({ plaintext: "A".repeat(2 * 1024 * 1024) });
    const path = v2(keyTag, "encrypt");
    const res = await request(`${emu.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...authHeaders({ kind: "v2" }, "POST", path, emu.credentials),
      },
      body,
    }).catch((error: unknown) => error);
    // Either the client sees the 400, or the server closed the connection while the client was still sending.
    if (!(res instanceof Error)) {
      const status = (res as { statusCode: number }).statusCode;
      expect(status).toBe(400);
    }
    await alive();
  });

  it("a chunked body over the cap is cut off while streaming (400, connection closed)", async () => {
    const path = v2(keyTag, "encrypt");
    const headers = authHeaders({ kind: "v2" }, "POST", path, emu.credentials);
    const head = [
      `POST ${path} HTTP/1.1`,
      "Host: x",
      "Content-Type: application/json",
      "Transfer-Encoding: chunked",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");
    const chunk = "A".repeat(64 * 1024);
    const chunks = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const answer = await raw(Buffer.from(head + chunks));
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain("INVALID_REQUEST");
    await alive();
  });

  it("garbage on the socket, truncated requests and aborted bodies leave the server answering", async () => {
    expect(await raw("\x00\x01\x02 not http at all\r\n\r\n")).toMatch(/^HTTP\/1\.1 400/);
    const path = v2(keyTag, "encrypt");
    // Content-Length promises more than is sent, then the socket goes away.
    const { port } = new URL(emu.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"plaintext":`);
        setImmediate(() => {
          socket.destroy();
          resolve();
        });
      });
    });
    await alive();
  });

  it("very long URLs and many headers are refused, not crashed on", async () => {
    const res = await request(`${emu.url}/kms/v1/keys/${"a".repeat(20_000)}/encrypt`, {
      method: "POST",
      body: "{}",
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    await res.body.dump();
    await alive();
  });
});

describe("load", () => {
  it("answers 2,000 concurrent requests with no error", async () => {
    const pool = new Pool(emu.url, { connections: 128, pipelining: 1 });
    try {
      emu.resetStats();
      const path = v2(keyTag, "encrypt");
      const results = await Promise.all(
        Array.from({ length: 2000 }, async (_, i) => {
          const res = await pool.request({
            path,
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...authHeaders({ kind: "v2" }, "POST", path, emu.credentials),
            },
            body: JSON.stringify({ plaintext: [b64(`a${i}`), b64(`b${i}`)] }),
          });
          const json = (await res.body.json()) as { data: { ciphertext: string[] } };
          return { status: res.statusCode, count: json.data.ciphertext.length };
        }),
      );
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(results.every((r) => r.count === 2)).toBe(true);
      expect(emu.stats()).toMatchObject({ requests: 2000, values: 4000, errors: {} });
    } finally {
      await pool.close();
    }
  });
});
