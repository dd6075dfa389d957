/**
 * Token refresh under faults: an access token that is still valid keeps
 * serving while an early refresh runs or fails; once it has expired, a failed
 * refresh is the caller's typed error. Parallel callers share one refresh, and
 * a refresh never writes back stale state over tokens stored meanwhile.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { createKmsClient, type KmsEvent, KmsUnauthorizedError } from "../../src/kms/index.js";
import { TokenStore } from "../../src/kms/token-auth.js";
import { bytes, emulatorWithKey, text } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;
/** Added to the emulator's wall clock, so tokens expire server-side without waiting. */
let emuClockOffsetMs = 0;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey(
    { now: () => Date.now() + emuClockOffsetMs },
    { keyName: "refresh-key" },
  ));
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetStats();
  emu.faults.clear();
  emuClockOffsetMs = 0;
});

function tokenClient(tokens: { accessToken: string; refreshToken?: string }, clock: { offsetMs: number }) {
  const events: KmsEvent[] = [];
  const client = createKmsClient({
    endpoint: emu.url,
    auth: { type: "token", tokens: { [keyTag]: tokens } },
    now: () => Date.now() + clock.offsetMs,
    retry: { minDelayMs: 1, maxDelayMs: 5 },
    onEvent: (e) => events.push(e),
  });
  return { client, events };
}

const refreshEvents = (events: KmsEvent[]) => events.filter((e) => e.type === "token-refresh");

describe("early refresh", () => {
  it("a failing early refresh does not fail calls while the token is valid; after expiry it is a typed error", async () => {
    const issued = await emu.issueTokens(keyTag, { accessTtlSeconds: 600, refreshTtlSeconds: 3600 });
    // A refresh token the server rejects: every refresh fails with 401.
    const clock = { offsetMs: 580_000 }; // 20 s left: inside the early-refresh window, still valid
    const { client, events } = tokenClient({ ...issued, refreshToken: "not-a-refresh-token" }, clock);
    const ct = await client.encrypt(keyTag, "still served");
    expect(text(await client.decrypt(keyTag, ct))).toBe("still served");
    await vi.waitFor(() => expect(refreshEvents(events).length).toBeGreaterThanOrEqual(1));
    expect(refreshEvents(events)[0]).toMatchObject({ keyTag, ok: false, code: "KMS_UNAUTHORIZED" });
    expect(emu.stats().byAction["access-token"]).toBeGreaterThanOrEqual(1);

    // The token expires (on both clocks) while the refresh keeps failing: now the call fails, typed.
    clock.offsetMs = 700_000;
    emuClockOffsetMs = 700_000;
    const error = await client.encrypt(keyTag, "too late").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsUnauthorizedError);
    expect(error).toMatchObject({ code: "KMS_UNAUTHORIZED", keyTag });
    await client.close();
  });

  it("50 concurrent calls across a refresh: one refresh request, none fails", async () => {
    const issued = await emu.issueTokens(keyTag, { accessTtlSeconds: 600, refreshTtlSeconds: 3600 });
    const clock = { offsetMs: 580_000 };
    const { client, events } = tokenClient(issued, clock);
    emu.faults.setLatency(20); // the refresh is still running while the 50 calls go out
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => client.encryptMany(keyTag, bytes(`c${i}`), [bytes(`v${i}`)])),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    await vi.waitFor(() => expect(refreshEvents(events)).toHaveLength(1));
    expect(refreshEvents(events)[0]).toMatchObject({ ok: true });
    expect(emu.stats().byAction["access-token"]).toBe(1);
    expect(emu.stats().errors).toEqual({});
    // The renewed token (72 h) is used from now on, without another refresh.
    await client.encrypt(keyTag, "after");
    expect(emu.stats().byAction["access-token"]).toBe(1);
    await client.close();
  });

  it("an expired token waits for the refresh (no call goes out with it)", async () => {
    const issued = await emu.issueTokens(keyTag, { accessTtlSeconds: 600, refreshTtlSeconds: 3600 });
    const clock = { offsetMs: 700_000 };
    emuClockOffsetMs = 700_000;
    const { client } = tokenClient(issued, clock);
    await client.encrypt(keyTag, "x");
    expect(emu.stats().byAction["access-token"]).toBe(1);
    expect(emu.stats().errors).toEqual({});
    await client.close();
  });
});

describe("TokenStore state", () => {
  function deferred<T>() {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  }
  const jwt = (expSeconds: number, iatSeconds: number) =>
    `h.${Buffer.from(JSON.stringify({ exp: expSeconds, iat: iatSeconds })).toString("base64url")}.s`;

  it("a refresh finishing after set() does not overwrite the newer token set", async () => {
    const nowMs = 1_000_000_000_000;
    const old = jwt(nowMs / 1000 - 1, nowMs / 1000 - 3600); // expired: the caller must wait for the refresh
    const pending = deferred<string>();
    const usedRefreshTokens: string[] = [];
    const store = new TokenStore({
      tokens: { k: { accessToken: old, refreshToken: "R1" } },
      now: () => nowMs,
      refreshBeforeMs: 60_000,
      refresh: (_tag, refreshToken) => {
        usedRefreshTokens.push(refreshToken);
        return usedRefreshTokens.length === 1
          ? pending.promise
          : Promise.resolve(jwt(nowMs / 1000 + 7200, nowMs / 1000));
      },
    });
    const waiting = store.accessToken("k");
    // Meanwhile a createTokenSet stores a whole new pair.
    const fresh = jwt(nowMs / 1000 + 3600, nowMs / 1000);
    store.set("k", { accessToken: fresh, refreshToken: "R2" });
    pending.resolve(jwt(nowMs / 1000 + 3600, nowMs / 1000 - 1));
    await waiting;
    // The pair stored by set() survives: its access token serves, its refresh token is the one used next.
    expect(await store.accessToken("k")).toBe(fresh);
    expect(await store.afterUnauthorized("k", fresh)).toBeDefined();
    expect(usedRefreshTokens).toEqual(["R1", "R2"]);
  });
});
