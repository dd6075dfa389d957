import { describe, expect, it } from "vitest";
import { checkSignature } from "../../src/emulator/signature-auth.js";
import { OversizedItem, planChunks } from "../../src/kms/chunk.js";
import { Coalescer, type Scheduler } from "../../src/kms/coalescer.js";
import {
  createKmsClient,
  KmsConnectionError,
  KmsInvalidOptionError,
  KmsServerError,
  KmsThrottledError,
  KmsTimeoutError,
  KmsUnauthorizedError,
} from "../../src/kms/index.js";
import { createLocalRateLimiter } from "../../src/kms/rate-limiter.js";
import {
  backoffDelay,
  createDefaultRetryPolicy,
  defaultRetryPolicy,
  parseRetryAfter,
  withRetry,
} from "../../src/kms/retry.js";
import { signatureHeaders } from "../../src/kms/signing.js";
import { needsRefresh } from "../../src/kms/token-auth.js";

describe("signing", () => {
  const creds = { accessKey: "AK-test", secretKey: "SK-test", apiGatewayKey: "GW-test" };
  for (const version of [1, 2] as const) {
    it(`signature v${version} is accepted by an independent verifier (the emulator's)`, () => {
      const ts = 1_700_000_000_000;
      const headers = signatureHeaders(version, creds, "POST", "/keys/v1/tag/encrypt?x=1", ts);
      expect(() =>
        checkSignature(version, "POST", "/keys/v1/tag/encrypt?x=1", headers, creds, ts, 300_000),
      ).not.toThrow();
      // A different path must not verify.
      expect(() =>
        checkSignature(version, "POST", "/keys/v1/tag/decrypt", headers, creds, ts, 300_000),
      ).toThrow();
    });
  }
});

describe("planChunks", () => {
  it("packs up to the byte limit exactly, keeps order", () => {
    expect(planChunks([10, 10, 12, 1], 32, 100)).toEqual([[0, 1, 2], [3]]);
  });
  it("respects the item cap", () => {
    expect(planChunks([1, 1, 1, 1, 1], 100, 2)).toEqual([[0, 1], [2, 3], [4]]);
  });
  it("reports the first item that can never fit", () => {
    const r = planChunks([1, 40, 50], 32, 10);
    expect(r).toBeInstanceOf(OversizedItem);
    expect(r).toMatchObject({ index: 1, sizeBytes: 40 });
  });
});

describe("local rate limiter (GCRA, injected clock)", () => {
  it("allows a burst, then spaces requests 1/tps apart", async () => {
    let now = 0;
    const limiter = createLocalRateLimiter({ tps: 10, burst: 2, now: () => now });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push((await limiter.reserve("k", 10_000)).waitMs);
    expect(waits).toEqual([0, 0, 100, 200, 300]);
    now = 1000; // idle long enough to refill the burst
    expect((await limiter.reserve("k", 10_000)).waitMs).toBe(0);
    expect((await limiter.reserve("other", 10_000)).waitMs).toBe(0);
  });
  it("refuses (without reserving) when the wait would exceed maxWaitMs", async () => {
    const limiter = createLocalRateLimiter({ tps: 10, burst: 1, now: () => 0 });
    await limiter.reserve("k", 0);
    expect(await limiter.reserve("k", 50)).toEqual({ granted: false, waitMs: 100 });
    expect(await limiter.reserve("k", 100)).toEqual({ granted: true, waitMs: 100 });
  });
});

describe("retry", () => {
  it("full jitter stays under the capped exponential ceiling", () => {
    const policy = { ...defaultRetryPolicy, minDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
  });
  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("2", 0)).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
  it("retries retryable errors up to the count, honouring Retry-After; never 4xx", async () => {
    const sleeps: number[] = [];
    const env = {
      policy: createDefaultRetryPolicy({ ...defaultRetryPolicy, retries: 2 }, () => 0),
      request: { action: "encrypt", keyTag: undefined, method: "POST" as const, idempotent: true },
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      now: () => 0,
    };
    let calls = 0;
    const error = await withRetry(async () => {
      calls++;
      throw new KmsServerError({ action: "encrypt", status: 503, retryAfterMs: 3000 });
    }, env).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(sleeps).toEqual([3000, 3000]);
    expect(error).toMatchObject({ code: "KMS_SERVER_ERROR", attempts: 3 });
    expect((error as Error).message).toContain("attempts=3");

    calls = 0;
    await withRetry(async () => {
      calls++;
      throw new KmsUnauthorizedError({ action: "encrypt", status: 401 });
    }, env).catch(() => undefined);
    expect(calls).toBe(1);
  });
  it("never repeats a non-idempotent call that may have reached the server", () => {
    const policy = createDefaultRetryPolicy(defaultRetryPolicy, () => 0);
    const rotate = {
      action: "rotate-key",
      keyTag: "k",
      method: "POST" as const,
      idempotent: false,
      elapsedMs: 0,
    };
    const dropped = new KmsConnectionError({ action: "rotate-key" });
    const refused = new KmsConnectionError({ action: "rotate-key", requestNotSent: true });
    expect(policy(dropped, 1, rotate)).toBeUndefined();
    expect(policy(new KmsTimeoutError({ action: "rotate-key", timeoutMs: 1 }), 1, rotate)).toBeUndefined();
    expect(policy(new KmsServerError({ action: "rotate-key", status: 503 }), 1, rotate)).toBeUndefined();
    expect(policy(new KmsThrottledError({ action: "rotate-key", status: 429 }), 1, rotate)).toBeUndefined();
    expect(policy(refused, 1, rotate)).toBe(0);
    expect(policy(new KmsThrottledError({ action: "rotate-key", retryAfterMs: 500 }), 1, rotate)).toBe(500);
    expect(policy(dropped, 1, { ...rotate, idempotent: true })).toBe(0);
  });
  it("a custom policy function replaces the decision", async () => {
    let calls = 0;
    const seen: Array<[string, number, boolean]> = [];
    const error = await withRetry(
      async () => {
        calls++;
        throw new KmsServerError({ action: "encrypt", status: 500 });
      },
      {
        policy: (e, attempt, request) => {
          seen.push([e.code, attempt, request.idempotent]);
          return attempt < 3 ? 7 : undefined;
        },
        request: { action: "encrypt", keyTag: undefined, method: "POST", idempotent: true },
        sleep: async () => undefined,
        now: () => 0,
      },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(seen).toEqual([
      ["KMS_SERVER_ERROR", 1, true],
      ["KMS_SERVER_ERROR", 2, true],
      ["KMS_SERVER_ERROR", 3, true],
    ]);
    expect(error).toMatchObject({ attempts: 3 });
  });
  it("gives up when the next wait would pass maxElapsedMs", async () => {
    let now = 0;
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        throw new KmsServerError({ action: "encrypt", status: 500, retryAfterMs: 400 });
      },
      {
        policy: createDefaultRetryPolicy({ ...defaultRetryPolicy, retries: 10, maxElapsedMs: 1000 }, () => 0),
        request: { action: "encrypt", keyTag: undefined, method: "POST", idempotent: true },
        sleep: async (ms) => {
          now += ms;
        },
        now: () => now,
      },
    ).catch(() => undefined);
    expect(calls).toBe(3); // waits 400 + 400; a third wait would end at 1200 > 1000
  });
});

describe("coalescer (manual scheduler)", () => {
  it("merges submissions until the flush and gives each caller its slice", async () => {
    const flushes: Array<() => void> = [];
    const scheduler: Scheduler = { defer: (fn) => flushes.push(fn), sleep: async () => undefined };
    const batches: string[][] = [];
    const c = new Coalescer<null, string, string>({
      windowMs: 0,
      scheduler,
      run: async (_g, items) => {
        batches.push([...items]);
        return items.map((i) =>
          i === "bad" ? { ok: false, error: new Error("bad item") } : { ok: true, value: i.toUpperCase() },
        );
      },
    });
    const a = c.submit("k", null, ["a", "b"]);
    const b = c.submit("k", null, ["bad"]);
    const d = c.submit("other", null, ["d"]);
    expect(flushes).toHaveLength(2);
    for (const f of flushes) f();
    expect(await a).toEqual([
      { ok: true, value: "A" },
      { ok: true, value: "B" },
    ]);
    expect((await b)[0]!.ok).toBe(false);
    expect(await d).toEqual([{ ok: true, value: "D" }]);
    expect(batches).toEqual([["a", "b", "bad"], ["d"]]);
  });
});

describe("token expiry", () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  it("renews within the margin, capped at half the lifetime", () => {
    const t = jwt({ iat: 1000, exp: 1100 }); // 100 s lifetime → margin min(60 s, 50 s)
    expect(needsRefresh(t, 1049_000, 60_000)).toBe(false);
    expect(needsRefresh(t, 1050_000, 60_000)).toBe(true);
    expect(needsRefresh(jwt({}), 9e12, 60_000)).toBe(false);
  });
});

describe("options", () => {
  const auth = { type: "signature" as const, accessKey: "AK-visible?", secretKey: "SECRET-VALUE-123" };
  it("names the option and the value's type, never the value", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ auth, tps: "fast" }, "tps"],
      [{ auth: { ...auth, secretKey: 12345 } }, "auth.secretKey"],
      [{ auth, retry: { retries: -1 } }, "retry.retries"],
      [{ auth: { ...auth, signatureVersion: 1 } }, "auth.signatureVersion"],
      [{ auth, endpoint: "ftp://SECRET-VALUE-123" }, "endpoint"],
    ];
    for (const [opts, option] of cases) {
      const error = (() => {
        try {
          createKmsClient(opts as never);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(KmsInvalidOptionError);
      expect(error).toMatchObject({ code: "KMS_INVALID_OPTION", option });
      expect((error as Error).message).not.toContain("SECRET-VALUE-123");
      expect((error as Error).message).not.toContain("12345");
    }
  });
});
