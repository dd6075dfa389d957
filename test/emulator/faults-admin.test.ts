import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, v2 } from "./sign.js";

let emu: RunningEmulator;
let keyTag: string;

beforeAll(async () => {
  emu = await startEmulator({ tpsV2: 100_000 });
  keyTag = (await emu.createKey({ keyName: "faulty" })).keyTag;
});
afterAll(() => emu.close());

const encrypt = () => call(emu, v2(keyTag, "encrypt"), { body: { plaintext: b64("x") } });
const admin = async (method: string, path: string, body?: unknown) => {
  const res = await request(`${emu.url}/__emulator/${path}`, {
    method: method as "GET",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.statusCode,
    json: (await res.body.json()) as { code: string; data: Record<string, unknown> },
  };
};

describe("faults (in-process)", () => {
  it("failNext fails exactly the next N requests with the given status, code and Retry-After", async () => {
    emu.faults.failNext(2, { status: 503, retryAfterSeconds: 3 });
    const [a, b, c] = [await encrypt(), await encrypt(), await encrypt()];
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.json.code).toBe("INTERNAL_SERVER_ERROR");
    expect(a.headers["retry-after"]).toBe("3");
    emu.faults.failNext(1, { status: 429, code: "TOO_MANY_REQUESTS" });
    expect((await encrypt()).json.code).toBe("TOO_MANY_REQUESTS");
  });

  it("failNext with an action only fails that action", async () => {
    emu.faults.failNext(1, { status: 500, action: "decrypt" });
    const enc = await encrypt();
    expect(enc.status).toBe(200);
    const dec = await call(emu, v2(keyTag, "decrypt"), { body: { ciphertext: enc.json.data!.ciphertext } });
    expect(dec.status).toBe(500);
    expect(
      (await call(emu, v2(keyTag, "decrypt"), { body: { ciphertext: enc.json.data!.ciphertext } })).status,
    ).toBe(200);
  });

  it("failFraction fails about that fraction, the same requests each time it is set", async () => {
    const run = async () => {
      emu.faults.failFraction(0.5, { status: 502 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await encrypt()).status);
      emu.faults.clear();
      return statuses;
    };
    const first = await run();
    const failed = first.filter((s) => s === 502).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    expect(await run()).toEqual(first);
  });

  it("dropNext destroys the socket without a response, then the server answers again", async () => {
    emu.faults.dropNext(1);
    await expect(encrypt()).rejects.toThrow();
    expect((await encrypt()).status).toBe(200);
  });

  it("latency delays responses (a client timeout shorter than it fires)", async () => {
    emu.faults.setLatency(2_000);
    const impatient = new Agent({ headersTimeout: 100 });
    try {
      await expect(
        call(emu, v2(keyTag, "encrypt"), { body: { plaintext: b64("x") }, dispatcher: impatient }),
      ).rejects.toThrow(/timeout/i);
    } finally {
      emu.faults.clear();
      await impatient.close();
    }
    expect((await encrypt()).status).toBe(200);
  });

  it("clear removes pending faults", async () => {
    emu.faults.failNext(5, { status: 500 });
    emu.faults.dropNext(5);
    emu.faults.clear();
    expect((await encrypt()).status).toBe(200);
  });

  it("rejects impossible fault settings", () => {
    expect(() => emu.faults.failNext(1, { status: 200 })).toThrow();
    expect(() => emu.faults.failFraction(1.5, { status: 500 })).toThrow();
    expect(() => emu.faults.setLatency(-1)).toThrow();
  });
});

describe("stats", () => {
  it("counts requests by action and key, values, throttled and errors by status", async () => {
    emu.resetStats();
    await call(emu, v2(keyTag, "encrypt"), { body: { plaintext: [b64("a"), b64("b"), b64("c")] } });
    await call(emu, v2(keyTag, "encrypt"), { body: { plaintext: "%%" } });
    await call(emu, "/nope", {});
    emu.faults.failNext(1, { status: 503 });
    await encrypt();
    const stats = emu.stats();
    expect(stats.requests).toBe(4);
    expect(stats.byAction.encrypt).toBe(3);
    expect(stats.byKey[keyTag]).toBe(3);
    expect(stats.values).toBe(3);
    expect(stats.throttled).toBe(0);
    expect(stats.errors).toEqual({ "400": 1, "404": 1, "503": 1 });
    emu.resetStats();
    expect(emu.stats().requests).toBe(0);
  });
});

describe("admin routes", () => {
  it("drive stats, faults, quota and keys from another process", async () => {
    expect((await admin("GET", "health")).json.data).toEqual({ ok: true });
    expect((await admin("POST", "stats/reset")).status).toBe(200);
    await encrypt();
    const stats = await admin("GET", "stats");
    expect(stats.json.data).toMatchObject({ requests: 1, values: 1 });

    expect(
      (await admin("POST", "faults", { failNext: { count: 1, status: 503, retryAfterSeconds: 1 } })).status,
    ).toBe(200);
    expect((await encrypt()).status).toBe(503);
    await admin("POST", "faults", { failNext: { count: 3, status: 500 }, dropNext: 1 });
    expect((await admin("DELETE", "faults")).status).toBe(200);
    expect((await encrypt()).status).toBe(200);
    await admin("POST", "faults", { dropNext: 1 });
    await expect(encrypt()).rejects.toThrow();

    const created = await admin("POST", "keys", { keyName: "adm-key", isConvergent: true });
    const tag = String(created.json.data.keyTag);
    expect(created.json.data).toMatchObject({ keyName: "adm-key", isConvergent: true, version: 1 });
    expect((await admin("GET", "keys")).json.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ keyTag: tag })]),
    );
    expect((await admin("POST", `keys/${tag}/rotate`)).json.data).toEqual({ keyTag: tag, version: 2 });
    await admin("POST", `keys/${tag}/disable`);
    expect(emu.listKeys().find((k) => k.keyTag === tag)!.status).toBe("DISABLED");
    await admin("POST", `keys/${tag}/enable`);

    const tokens = await admin("POST", `keys/${tag}/tokens`, { accessTtlSeconds: 30 });
    const token = String(tokens.json.data.accessToken);
    const withToken = () =>
      call(emu, v2(tag, "encrypt"), {
        auth: { kind: "token", token },
        body: { plaintext: b64("x"), context: b64("c") },
      });
    expect((await withToken()).status).toBe(200);
    expect((await admin("PUT", `keys/${tag}/ip-acl`, { enabled: true, allow: [] })).status).toBe(200);
    expect((await withToken()).status).toBe(403);
    await admin("PUT", `keys/${tag}/ip-acl`, { enabled: false, allow: [] });
    await admin("POST", `keys/${tag}/token-creator/replace`);
    expect((await withToken()).status).toBe(401);
    await admin("POST", `keys/${tag}/token-creator/disable`);
    expect((await admin("POST", `keys/${tag}/tokens`, {})).status).toBe(422);

    expect((await admin("POST", "quota", { tpsV2: 1 })).status).toBe(200);
    const burst = await Promise.all([encrypt(), encrypt(), encrypt()]);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(1);
    await admin("POST", "quota", { tpsV2: 100_000 });
  });

  it("reject bad admin input and unknown routes without crashing", async () => {
    expect((await admin("POST", "faults", { failNext: { count: 1, status: 200 } })).status).toBe(400);
    expect((await admin("POST", "faults", { bogus: 1 })).status).toBe(400);
    expect((await admin("POST", "quota", { tpsV2: -5 })).status).toBe(400);
    expect((await admin("GET", "nothing-here")).status).toBe(404);
    expect((await admin("GET", "faults")).status).toBe(405);
    expect((await admin("POST", `keys/${"0".repeat(64)}/rotate`)).status).toBe(404);
    expect((await encrypt()).status).toBe(200);
  });

  it("are absent with admin: false", async () => {
    const closed = await startEmulator({ admin: false });
    try {
      const res = await request(`${closed.url}/__emulator/stats`);
      expect(res.statusCode).toBe(404);
      await res.body.dump();
    } finally {
      await closed.close();
    }
  });
});
