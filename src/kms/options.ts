/**
 * The client's options: types with TSDoc, defaults, and one zod validation at
 * construction. A bad option fails with {@link KmsInvalidOptionError} naming
 * the option and the TYPE of the value given (the value may be a secret).
 */
import type { Dispatcher } from "undici";
import { z } from "zod";
import type { Scheduler } from "./coalescer.js";
import { KmsInvalidOptionError } from "./errors.js";
import type { KmsEvent, KmsLogger } from "./events.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { RetryPolicy, RetryPolicyFunction } from "./retry.js";
import type { KeyTokens } from "./token-auth.js";

/** Account credentials (NCP access key and secret key of a (sub) account). */
export interface AccountCredentials {
  accessKey: string;
  secretKey: string;
}

/** Account auth: every request signed with an API Gateway signature. */
export interface SignatureAuth extends AccountCredentials {
  type: "signature";
  /** API Gateway API key; required with `signatureVersion: 1` (API 1.0 only). */
  apiGatewayKey?: string;
  /** API Gateway signature version. API 2.0 accepts only 2. Defaults to 2. */
  signatureVersion?: 1 | 2;
}

/** API 2.0 token auth: one access token per key (header `x-ncp-ocapi-token`). */
export interface TokenAuth {
  type: "token";
  /** Tokens by key tag; with a `refreshToken` the access token is renewed automatically. Defaults to none. */
  tokens?: Record<string, KeyTokens>;
  /**
   * Account credentials, to issue a token set (`token-set`) for a key that has
   * no token yet or whose refresh token stopped working, and for key
   * management. Defaults to none.
   */
  account?: AccountCredentials;
}

/** Options of `createKmsClient`. */
export interface KmsClientOptions {
  /** Which KMS API to call. Defaults to `"v2"` (per-key quota, token auth available). */
  api?: "v2" | "v1";
  /**
   * Base URL of the crypto API. Defaults to `https://ocapi.ncloud.com` for
   * API 2.0 and `https://kms.apigw.ntruss.com` for API 1.0.
   */
  endpoint?: string;
  /**
   * Base URL for key management and token issuing (API 2.0 paths, account
   * auth). Defaults to `endpoint` on API 2.0 and `https://ocapi.ncloud.com` on API 1.0.
   */
  managementEndpoint?: string;
  /** How requests are authenticated. */
  auth: SignatureAuth | TokenAuth;
  /**
   * Requests per second our limiter allows — per key on API 2.0, per account
   * on API 1.0. Defaults to 270 (v2) or 180 (v1): 90% of NCP's quota.
   */
  tps?: number;
  /** Requests allowed back to back after idling. Defaults to `max(1, floor(tps / 10))`. */
  burst?: number;
  /** Decoded plaintext bytes per array request. Defaults to 32768 (NCP's limit). */
  maxRequestBytes?: number;
  /** Items per array request. Defaults to 1000. */
  maxItemsPerRequest?: number;
  /** Merge calls arriving within this many ms; 0 means one macrotask tick. Defaults to 0. */
  coalesceWindowMs?: number;
  /**
   * Most values one coalesced batch may hold (DataLoader's `maxBatchSize`): a
   * burst of concurrent calls is cut into batches of at most this many values,
   * each flushed as soon as it is full, so one burst cannot build an unbounded
   * batch. Defaults to 10000.
   */
  maxBatchSize?: number;
  /**
   * Largest response body read, in bytes. A longer one (a misbehaving proxy,
   * a hostile endpoint) fails with `KmsResponseTooLargeError`
   * (`KMS_RESPONSE_TOO_LARGE`) and the connection is closed. Defaults to
   * 8388608 (8 MiB; a full 1000-value response is far smaller).
   */
  maxResponseBytes?: number;
  /** Maximum HTTP requests in flight. Defaults to 32. */
  concurrency?: number;
  /** Timeout of one HTTP request, in ms. Defaults to 10000. */
  timeoutMs?: number;
  /**
   * Tuning of the default retry policy (429, 5xx, timeouts, dropped
   * connections; `Retry-After` honoured). `createTokenSet`, `createKey` and
   * `rotateKey` are repeated only when the request surely did not reach the
   * server (refused connection) or after a 429 with `Retry-After`. Defaults to
   * `{ retries: 5, minDelayMs: 100, maxDelayMs: 5000, maxElapsedMs: 30000 }`.
   */
  retry?: Partial<RetryPolicy>;
  /**
   * Replaces the retry decision: `(error, attempt, request) => delayMs | undefined`
   * (undefined: give up). `request.idempotent` is `false` for `createTokenSet`,
   * `createKey` and `rotateKey`; repeating one of those after it reached the
   * server changes state twice. Defaults to capped exponential backoff tuned by
   * `retry`, which repeats non-idempotent calls only after a refused connection
   * or a 429 with `Retry-After`.
   */
  retryPolicy?: RetryPolicyFunction;
  /** Longest a request may wait for the rate limiter before `KmsQuotaWaitTimeoutError`, in ms. Defaults to 30000. */
  maxWaitMs?: number;
  /** Extra requests allowed per batch to isolate bad ciphertexts by splitting. Defaults to 64. */
  maxIsolationRequests?: number;
  /**
   * Renew an access token this long before its `exp`, in ms (capped at half
   * its lifetime). The renewal runs in the background while the current token
   * still serves; a failed one is retried after a pause and fails no call
   * until the token has expired. Defaults to 60000.
   */
  refreshBeforeMs?: number;
  /** `accessTokenHours` sent when renewing an access token. Defaults to the server's (72). */
  accessTokenHours?: number | "UL";
  /** A limiter shared by several processes, e.g. `createRedisRateLimiter`. Defaults to an in-process token bucket at `tps`. */
  rateLimiter?: RateLimiter;
  /**
   * Debug logger; fields never hold secrets, plaintexts or contexts. If it
   * throws, the call is unaffected and the failure is reported once as an
   * `error` event. Defaults to none.
   */
  logger?: KmsLogger;
  /**
   * Called for every request, retry, wait, 429 and token refresh; for metrics.
   * If it throws, the call is unaffected and the failure is reported once as
   * an `error` event to the other listeners. Defaults to none.
   */
  onEvent?: (event: KmsEvent) => void;
  /** undici dispatcher to send requests with (not closed by `close()`). Defaults to a keep-alive `Agent` of `concurrency` connections. */
  dispatcher?: Dispatcher;
  /**
   * Wall clock in epoch ms: signature timestamps, token expiry, `Retry-After`
   * dates. Never used to time waits. Defaults to `Date.now`.
   */
  now?: () => number;
  /**
   * Monotonic clock in ms: the in-process rate limiter, the retry budget
   * (`maxElapsedMs`) and request durations, so a wall-clock jump can neither
   * stall nor flood the limiter. Defaults to `performance.now()`.
   */
  monotonicNow?: () => number;
  /** Coalescing and sleeping. Defaults to `setImmediate`/`setTimeout`. */
  scheduler?: Scheduler;
  /** Random source for retry jitter, in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "expected a function");
const obj = z.custom<object>((v) => typeof v === "object" && v !== null, "expected an object");
const nonEmpty = z.string().min(1);
const account = z.object({ accessKey: nonEmpty, secretKey: nonEmpty });
const tokens = z.record(z.string(), z.object({ accessToken: nonEmpty, refreshToken: nonEmpty.optional() }));
const url = z.string().regex(/^https?:\/\/[^\s]+$/, "expected an http(s) URL");
const positiveInt = z.number().int().positive();

const schema = z
  .object({
    api: z.enum(["v2", "v1"]).optional(),
    endpoint: url.optional(),
    managementEndpoint: url.optional(),
    auth: z.discriminatedUnion("type", [
      account.extend({
        type: z.literal("signature"),
        apiGatewayKey: nonEmpty.optional(),
        signatureVersion: z.union([z.literal(1), z.literal(2)]).optional(),
      }),
      z.object({ type: z.literal("token"), tokens: tokens.optional(), account: account.optional() }),
    ]),
    tps: z.number().positive().optional(),
    burst: positiveInt.optional(),
    maxRequestBytes: positiveInt.optional(),
    maxItemsPerRequest: positiveInt.optional(),
    coalesceWindowMs: z.number().min(0).optional(),
    maxBatchSize: positiveInt.optional(),
    maxResponseBytes: positiveInt.optional(),
    concurrency: positiveInt.optional(),
    timeoutMs: positiveInt.optional(),
    retry: z
      .object({
        retries: z.number().int().min(0).optional(),
        minDelayMs: z.number().min(0).optional(),
        maxDelayMs: z.number().min(0).optional(),
        maxElapsedMs: z.number().min(0).optional(),
      })
      .optional(),
    retryPolicy: fn.optional(),
    maxWaitMs: z.number().min(0).optional(),
    maxIsolationRequests: z.number().int().min(0).optional(),
    refreshBeforeMs: z.number().min(0).optional(),
    accessTokenHours: z.union([z.number().int().min(1).max(17520), z.literal("UL")]).optional(),
    rateLimiter: obj.optional(),
    logger: obj.optional(),
    onEvent: fn.optional(),
    dispatcher: obj.optional(),
    now: fn.optional(),
    monotonicNow: fn.optional(),
    scheduler: obj.optional(),
    random: fn.optional(),
  })
  .superRefine((o, ctx) => {
    const api = o.api ?? "v2";
    if (o.auth.type === "token" && api === "v1") {
      ctx.addIssue({ code: "custom", path: ["auth", "type"], message: "token auth exists only on API 2.0" });
    }
    if (o.auth.type === "signature" && o.auth.signatureVersion === 1) {
      if (api === "v2") {
        ctx.addIssue({
          code: "custom",
          path: ["auth", "signatureVersion"],
          message: "API 2.0 accepts signature v2 only",
        });
      }
      if (o.auth.apiGatewayKey === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["auth", "apiGatewayKey"],
          message: "required for signature v1",
        });
      }
    }
  });

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Validates `options` (throws {@link KmsInvalidOptionError}); returns them unchanged. */
export function validateOptions(options: KmsClientOptions): KmsClientOptions {
  const result = schema.safeParse(options);
  if (result.success) return options;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join(".") || "(options)";
  // zod's messages name expected types and bounds, never the input value.
  throw new KmsInvalidOptionError(path, `${issue.message}; got ${typeName(valueAt(options, issue.path))}`);
}
