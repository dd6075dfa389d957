import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { createKmsClient, KmsUnauthorizedError } from "../../src/kms/index.js";
import { emulatorWithKey, text } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;
/** Added to the emulator's wall clock, so tokens can expire server-side without waiting. */
let emuClockOffsetMs = 0;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey(
    { now: () => Date.now() + emuClockOffsetMs },
    { keyName: "tok-key" },
  ));
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetStats();
  emuClockOffsetMs = 0;
});

function tokenClient(
  tokens: { accessToken: string; refreshToken?: string },
  extra: { now?: () => number; refreshBeforeMs?: number } = {},
) {
  return createKmsClient({
    endpoint: emu.url,
    auth: { type: "token", tokens: { [keyTag]: tokens } },
    ...extra,
  });
}

describe("token auth", () => {
  it("renews the access token before it expires (client clock near exp), without a 401", async () => {
    const tokens = await emu.issueTokens(keyTag, { accessTtlSeconds: 600, refreshTtlSeconds: 3600 });
    const client = tokenClient(tokens, { now: () => Date.now() + 590_000 });
    await client.encrypt(keyTag, "a"); // served by the still-valid token; the refresh runs alongside
    await vi.waitFor(() => expect(emu.stats().byAction["access-token"]).toBe(1));
    expect(emu.stats().errors).toEqual({});
    await client.encrypt(keyTag, "b"); // the renewed token (72 h) is not near expiry
    expect(emu.stats().byAction["access-token"]).toBe(1);
    await client.close();
  });

  it("renews once after a 401, shared by parallel callers", async () => {
    const tokens = await emu.issueTokens(keyTag, { accessTtlSeconds: 60, refreshTtlSeconds: 3600 });
    const client = tokenClient(tokens, { refreshBeforeMs: 0 });
    emuClockOffsetMs = 120_000; // the access token is now expired on the server
    // Distinct contexts → distinct groups → 20 parallel requests, all of which see the 401.
    const cts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.encrypt(keyTag, `v${i}`, { context: `c${i}` })),
    );
    expect(emu.stats().byAction["access-token"]).toBe(1);
    expect(emu.stats().errors["401"]).toBeGreaterThanOrEqual(1);
    expect(text(await client.decrypt(keyTag, cts[7]!, { context: "c7" }))).toBe("v7");
    await client.close();
  });

  it("a revoked token (token creator replaced) gives KmsUnauthorizedError", async () => {
    const tokens = await emu.issueTokens(keyTag);
    const client = tokenClient(tokens);
    await client.encrypt(keyTag, "works before");
    await emu.replaceTokenCreator(keyTag);
    const error = await client.encrypt(keyTag, "fails after").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsUnauthorizedError);
    expect(error).toMatchObject({ code: "KMS_UNAUTHORIZED", status: 401, keyTag });
    await client.close();
  });

  it("a key with no token is served by issuing a token set with the account credentials", async () => {
    const { accessKey, secretKey } = emu.credentials;
    const client = createKmsClient({
      endpoint: emu.url,
      auth: { type: "token", account: { accessKey, secretKey } },
    });
    const ct = await Promise.all([
      client.encrypt(keyTag, "x", { context: "1" }),
      client.encrypt(keyTag, "y", { context: "2" }),
    ]);
    expect(emu.stats().byAction["token-set"]).toBe(1);
    expect(text(await client.decrypt(keyTag, ct[1]!, { context: "2" }))).toBe("y");
    await client.close();
  });

  it("createTokenSet and createAccessToken return working tokens", async () => {
    const { accessKey, secretKey } = emu.credentials;
    const admin = createKmsClient({ endpoint: emu.url, auth: { type: "signature", accessKey, secretKey } });
    const set = await admin.createTokenSet(keyTag, { accessTokenHours: 1, refreshTokenHours: 2 });
    const renewed = await admin.createAccessToken(keyTag, set.refreshToken);
    const client = tokenClient({ accessToken: renewed });
    expect(await client.encrypt(keyTag, "z")).toMatch(/^ncpkms:v\d+:/);
    await Promise.all([admin.close(), client.close()]);
  });
});
