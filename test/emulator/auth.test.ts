import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { type Auth, b64, call, v1, v2 } from "./sign.js";

let emu: RunningEmulator;
let keyTag: string;
const body = { plaintext: b64("hello") };

beforeAll(async () => {
  emu = await startEmulator();
  keyTag = (await emu.createKey({ keyName: "auth-key" })).keyTag;
});
afterAll(() => emu.close());

describe("account auth (signature v1 and v2)", () => {
  const accepted: Array<[string, () => string, Auth]> = [
    ["API 1.0 /keys/v1 with signature v1", () => v1(1, keyTag, "encrypt"), { kind: "v1" }],
    ["API 1.0 /keys/v2 with signature v2", () => v1(2, keyTag, "encrypt"), { kind: "v2" }],
    ["API 2.0 with signature v2", () => v2(keyTag, "encrypt"), { kind: "v2" }],
  ];
  for (const [name, path, auth] of accepted) {
    it(`accepts ${name}`, async () => {
      const res = await call(emu, path(), { auth, body });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ code: "SUCCESS", msg: "" });
    });
  }

  it("rejects the wrong signature version for the path", async () => {
    expect((await call(emu, v1(1, keyTag, "encrypt"), { auth: { kind: "v2" }, body })).status).toBe(401);
    expect((await call(emu, v1(2, keyTag, "encrypt"), { auth: { kind: "v1" }, body })).status).toBe(401);
  });

  it("rejects a request without auth headers", async () => {
    const res = await call(emu, v2(keyTag, "encrypt"), { auth: { kind: "none" }, body });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("UNAUTHORIZED");
  });

  it("rejects a stale timestamp (more than 5 minutes either way) and accepts one within", async () => {
    const path = v2(keyTag, "encrypt");
    expect((await call(emu, path, { body, timestamp: Date.now() - 6 * 60_000 })).status).toBe(401);
    expect((await call(emu, path, { body, timestamp: Date.now() + 6 * 60_000 })).status).toBe(401);
    expect((await call(emu, path, { body, timestamp: Date.now() - 4 * 60_000 })).status).toBe(200);
  });

  it("rejects a signature made with the wrong secret key", async () => {
    const res = await call(emu, v2(keyTag, "encrypt"), {
      body,
      credentials: { secretKey: "not-the-secret" },
    });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("UNAUTHORIZED");
  });

  it("rejects an unknown access key", async () => {
    const res = await call(emu, v2(keyTag, "encrypt"), {
      body,
      credentials: { accessKey: "UNKNOWNACCESSKEY0000" },
    });
    expect(res.status).toBe(401);
  });

  it("rejects signature v1 with a wrong API Gateway key", async () => {
    const res = await call(emu, v1(1, keyTag, "encrypt"), {
      auth: { kind: "v1" },
      body,
      credentials: { apiGatewayKey: "wrong" },
    });
    expect(res.status).toBe(401);
  });

  it("signs the path with its query string", async () => {
    // Signed with the query string: accepted.
    const withQuery = await call(emu, `${v2(keyTag, "encrypt")}?trace=1`, { body });
    expect(withQuery.status).toBe(200);
    // Signed without it but sent with it: the signature no longer matches.
    const { authHeaders } = await import("./sign.js");
    const headers = authHeaders({ kind: "v2" }, "POST", v2(keyTag, "encrypt"), emu.credentials);
    const res = await call(emu, `${v2(keyTag, "encrypt")}?trace=1`, {
      body,
      auth: { kind: "none" },
      headers,
    });
    expect(res.status).toBe(401);
  });

  it("never echoes credentials in error messages", async () => {
    const res = await call(emu, v2(keyTag, "encrypt"), { body, credentials: { secretKey: "s3cr3t-value" } });
    const text = JSON.stringify(res.json);
    expect(text).not.toContain(emu.credentials.accessKey);
    expect(text).not.toContain("s3cr3t-value");
  });

  it("honours a custom clock skew", async () => {
    const strict = await startEmulator({ clockSkewMs: 1000 });
    try {
      const tag = (await strict.createKey({ keyName: "skew" })).keyTag;
      expect((await call(strict, v2(tag, "encrypt"), { body, timestamp: Date.now() - 60_000 })).status).toBe(
        401,
      );
      expect((await call(strict, v2(tag, "encrypt"), { body })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
