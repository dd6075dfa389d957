import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, unb64, v2 } from "./sign.js";

let emu: RunningEmulator;
let clock = Date.now();
let keyTag: string;
let otherTag: string;

beforeAll(async () => {
  emu = await startEmulator({ now: () => clock });
  keyTag = (await emu.createKey({ keyName: "tok" })).keyTag;
  otherTag = (await emu.createKey({ keyName: "tok-other" })).keyTag;
});
afterAll(() => emu.close());

const token = (t: string) => ({ kind: "token" as const, token: t });
const encryptWith = (tag: string, t: string) =>
  call(emu, v2(tag, "encrypt"), { auth: token(t), body: { plaintext: b64("tok") } });
const tokenSet = (tag: string, body: unknown = {}) =>
  call(emu, v2(tag, "token-set"), { body, timestamp: clock });

describe("token-set", () => {
  it("issues RS256 JWTs with NCP's claims and default TTLs (72 h / 2160 h)", async () => {
    const res = await tokenSet(keyTag);
    expect(res.status).toBe(200);
    const { accessToken, refreshToken } = res.json.data as { accessToken: string; refreshToken: string };
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: "RS256", typ: "JWT" });
    const access = decodeJwt(accessToken);
    const refresh = decodeJwt(refreshToken);
    expect(access).toMatchObject({ "1": "ACCESS", "2": `keytag__${keyTag}`, "3": "EXT" });
    expect(refresh).toMatchObject({ "1": "REFRESH", "2": `keytag__${keyTag}`, "3": "EXT" });
    expect(Array.isArray(access["4"])).toBe(true);
    expect(typeof access.sub).toBe("string");
    expect(access.exp! - access.iat!).toBe(72 * 3600);
    expect(refresh.exp! - refresh.iat!).toBe(2160 * 3600);
  });

  it("accepts custom hours and UL (no expiry), rejects out-of-range or unknown fields", async () => {
    const custom = await tokenSet(keyTag, { accessTokenHours: 1, refreshTokenHours: "UL" });
    expect(custom.status).toBe(200);
    const access = decodeJwt(custom.json.data!.accessToken as string);
    expect(access.exp! - access.iat!).toBe(3600);
    expect(decodeJwt(custom.json.data!.refreshToken as string).exp).toBeUndefined();
    for (const body of [
      { accessTokenHours: 0 },
      { accessTokenHours: 17521 },
      { refreshTokenHours: 1.5 },
      { accessTokenHours: "72" },
      { ttl: 1 },
    ]) {
      const res = await tokenSet(keyTag, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await tokenSet(keyTag, { accessTokenHours: 17520 })).status).toBe(200);
  });

  it("needs account auth: a token cannot call token-set or key management", async () => {
    const { accessToken } = await emu.issueTokens(keyTag);
    expect((await call(emu, v2(keyTag, "token-set"), { auth: token(accessToken), body: {} })).status).toBe(
      401,
    );
    expect((await call(emu, v2(keyTag, "rotate"), { auth: token(accessToken) })).status).toBe(401);
  });
});

describe("token auth on crypto actions", () => {
  it("an access token encrypts and decrypts for its key", async () => {
    const { accessToken } = (await tokenSet(keyTag)).json.data as { accessToken: string };
    const enc = await encryptWith(keyTag, accessToken);
    expect(enc.status).toBe(200);
    const dec = await call(emu, v2(keyTag, "decrypt"), {
      auth: token(accessToken),
      body: { ciphertext: enc.json.data!.ciphertext },
    });
    expect(unb64(dec.json.data!.plaintext)).toBe("tok");
  });

  it("a refresh token cannot encrypt (401)", async () => {
    const { refreshToken } = await emu.issueTokens(keyTag);
    const res = await encryptWith(keyTag, refreshToken);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("UNAUTHORIZED");
  });

  it("a token for another key is forbidden (403)", async () => {
    const { accessToken } = await emu.issueTokens(otherTag);
    const res = await encryptWith(keyTag, accessToken);
    expect(res.status).toBe(403);
    expect(res.json.code).toBe("FORBIDDEN");
  });

  it("a garbage or forged token is 401", async () => {
    expect((await encryptWith(keyTag, "not.a.jwt")).status).toBe(401);
    const { accessToken } = await emu.issueTokens(keyTag);
    const [h, p] = accessToken.split(".");
    expect((await encryptWith(keyTag, `${h}.${p}.${"A".repeat(342)}`)).status).toBe(401);
  });

  it("an expired access token is 401, and access-token with the refresh token issues a fresh one", async () => {
    const { accessToken, refreshToken } = await emu.issueTokens(keyTag, {
      accessTtlSeconds: 60,
      refreshTtlSeconds: 600,
    });
    expect((await encryptWith(keyTag, accessToken)).status).toBe(200);
    clock += 61_000;
    expect((await encryptWith(keyTag, accessToken)).status).toBe(401);

    const renewed = await call(emu, v2(keyTag, "access-token"), { auth: token(refreshToken), body: {} });
    expect(renewed.status).toBe(200);
    const fresh = renewed.json.data!.accessToken as string;
    expect(decodeJwt(fresh)["1"]).toBe("ACCESS");
    expect((await encryptWith(keyTag, fresh)).status).toBe(200);

    clock += 600_000;
    const late = await call(emu, v2(keyTag, "access-token"), { auth: token(refreshToken), body: {} });
    expect(late.status).toBe(401);
  });

  it("access-token refuses an access token, a missing token and a token of another key", async () => {
    const mine = await emu.issueTokens(keyTag);
    const other = await emu.issueTokens(otherTag);
    expect((await call(emu, v2(keyTag, "access-token"), { auth: token(mine.accessToken) })).status).toBe(401);
    expect((await call(emu, v2(keyTag, "access-token"), { auth: { kind: "none" } })).status).toBe(401);
    expect((await call(emu, v2(keyTag, "access-token"), { auth: token(other.refreshToken) })).status).toBe(
      403,
    );
    const hours = await call(emu, v2(keyTag, "access-token"), {
      auth: token(mine.refreshToken),
      body: { accessTokenHours: 2 },
    });
    const fresh = decodeJwt(hours.json.data!.accessToken as string);
    expect(fresh.exp! - fresh.iat!).toBe(7200);
  });

  it("replacing the token creator revokes every token it issued; new tokens work", async () => {
    const tag = (await emu.createKey({ keyName: "tok-replace" })).keyTag;
    const old = await emu.issueTokens(tag);
    expect((await encryptWith(tag, old.accessToken)).status).toBe(200);
    await emu.replaceTokenCreator(tag);
    expect((await encryptWith(tag, old.accessToken)).status).toBe(401);
    expect((await call(emu, v2(tag, "access-token"), { auth: token(old.refreshToken) })).status).toBe(401);
    const fresh = await emu.issueTokens(tag);
    expect((await encryptWith(tag, fresh.accessToken)).status).toBe(200);
  });

  it("disabling the token creator revokes tokens and refuses token-set (422)", async () => {
    const tag = (await emu.createKey({ keyName: "tok-disable" })).keyTag;
    const old = await emu.issueTokens(tag);
    await emu.disableTokenCreator(tag);
    expect((await encryptWith(tag, old.accessToken)).status).toBe(401);
    const res = await tokenSet(tag);
    expect(res.status).toBe(422);
    // Account auth still works on a key without a token creator.
    expect(
      (await call(emu, v2(tag, "encrypt"), { body: { plaintext: b64("x") }, timestamp: clock })).status,
    ).toBe(200);
  });

  it("the IP ACL denies all when enabled and empty, and allows listed addresses or blocks (tokens only)", async () => {
    const tag = (await emu.createKey({ keyName: "tok-acl" })).keyTag;
    const { accessToken } = await emu.issueTokens(tag);
    await emu.setIpAcl(tag, { enabled: true, allow: [] });
    const denied = await encryptWith(tag, accessToken);
    expect(denied.status).toBe(403);
    expect(denied.json.code).toBe("FORBIDDEN");
    // Account auth is not subject to the token IP ACL.
    expect(
      (await call(emu, v2(tag, "encrypt"), { body: { plaintext: b64("x") }, timestamp: clock })).status,
    ).toBe(200);
    await emu.setIpAcl(tag, { enabled: true, allow: ["10.0.0.1"] });
    expect((await encryptWith(tag, accessToken)).status).toBe(403);
    await emu.setIpAcl(tag, { enabled: true, allow: ["127.0.0.0/8"] });
    expect((await encryptWith(tag, accessToken)).status).toBe(200);
    await emu.setIpAcl(tag, { enabled: true, allow: ["127.0.0.1"] });
    expect((await encryptWith(tag, accessToken)).status).toBe(200);
    await emu.setIpAcl(tag, { enabled: false, allow: [] });
    expect((await encryptWith(tag, accessToken)).status).toBe(200);
    await expect(emu.setIpAcl(tag, { enabled: true, allow: ["not-an-ip"] })).rejects.toMatchObject({
      status: 400,
    });
  });

  it("never echoes a token in an error message", async () => {
    const { refreshToken } = await emu.issueTokens(keyTag);
    const res = await encryptWith(keyTag, refreshToken);
    expect(JSON.stringify(res.json)).not.toContain(refreshToken.slice(-20));
  });
});
