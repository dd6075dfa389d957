/**
 * One KMS call through the layers, in order: retry ( concurrency slot (
 * rate-limiter slot, then auth headers ( transport ) ) ), then the response
 * checked with zod. Headers are made after the limiter wait, so a signature's
 * timestamp is the time the request is sent. A 401 under token auth renews the token once and resends.
 */
import pLimit from "p-limit";
import type { z } from "zod";
import type { Scheduler } from "./coalescer.js";
import {
  errorForStatus,
  type KmsError,
  KmsInvalidResponseError,
  KmsLimiterUnavailableError,
  KmsQuotaWaitTimeoutError,
} from "./errors.js";
import type { KmsCounters } from "./events.js";
import type { Hooks } from "./hooks.js";
import type { RateLimiter, Reservation } from "./rate-limiter.js";
import { parseRetryAfter, type RetryPolicyFunction, withRetry } from "./retry.js";
import { envelope, errorBody } from "./schemas.js";
import { type SignatureCredentials, signatureHeaders } from "./signing.js";
import type { TokenStore } from "./token-auth.js";
import type { HttpResponse, Transport } from "./transport.js";

/** How one request authenticates. */
export type RequestAuth =
  | { kind: "signature"; version: 1 | 2; credentials: SignatureCredentials }
  | { kind: "token" }
  | { kind: "refresh-token"; refreshToken: string };

/** Everything needed to make one call. */
export interface CallSpec<T extends z.ZodType> {
  action: string;
  keyTag?: string | undefined;
  transport: Transport;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  auth: RequestAuth;
  /** Rate-limiter bucket; `undefined` for calls outside the crypto quota. */
  bucket?: string | undefined;
  /** Skip the concurrency limit (token renewals, which in-flight requests may be waiting on). */
  unlimited?: boolean;
  /**
   * `false` for calls that change server state each time (`token-set`,
   * `create-key`, `rotate-key`): the retry policy then never repeats them once
   * they may have reached the server. Defaults to `true`.
   */
  idempotent?: boolean;
  /** Items carried (for events). */
  items: number;
  /** Schema of the envelope's `data`. */
  data: T;
}

export interface RequesterDeps {
  limiter: RateLimiter;
  maxWaitMs: number;
  concurrency: number;
  tokens: TokenStore | undefined;
  retry: RetryPolicyFunction;
  /** Wall clock (epoch ms): signature timestamps, `Retry-After` dates. */
  now: () => number;
  /** Monotonic clock (ms): durations and the retry budget. */
  monotonicNow: () => number;
  scheduler: Scheduler;
  counters: KmsCounters;
  /** Listeners and logger, isolated: they never throw into a call. */
  hooks: Hooks;
}

export type Requester = <T extends z.ZodType>(spec: CallSpec<T>) => Promise<z.infer<T>>;

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The cause to keep: the limiter's own cause when it raised the typed error, else name and message only. */
function limiterCause(error: unknown): Error {
  if (error instanceof KmsLimiterUnavailableError && error.cause instanceof Error) return error.cause;
  const clean = new Error(error instanceof Error ? error.message : "rate limiter failed");
  clean.name = error instanceof Error ? error.name : "Error";
  return clean;
}

export function createRequester(deps: RequesterDeps): Requester {
  const slots = pLimit(deps.concurrency);

  async function acquire(spec: CallSpec<z.ZodType>): Promise<void> {
    if (spec.bucket === undefined) return;
    let r: Reservation;
    try {
      r = await deps.limiter.reserve(spec.bucket, deps.maxWaitMs);
    } catch (error) {
      // A limiter that cannot answer admits nothing: fail closed on the quota, with a typed error.
      throw new KmsLimiterUnavailableError({
        action: spec.action,
        keyTag: spec.keyTag,
        cause: limiterCause(error),
      });
    }
    if (!r.granted) {
      throw new KmsQuotaWaitTimeoutError({
        action: spec.action,
        keyTag: spec.keyTag,
        attempts: 0,
        waitMs: r.waitMs,
        maxWaitMs: deps.maxWaitMs,
      });
    }
    if (r.waitMs > 0) {
      deps.counters.waits++;
      deps.counters.waitMs += r.waitMs;
      deps.hooks.emit({ type: "wait", bucket: spec.bucket, waitMs: r.waitMs });
      await deps.scheduler.sleep(r.waitMs);
    }
  }

  async function authHeaders(
    spec: CallSpec<z.ZodType>,
  ): Promise<{ headers: Record<string, string>; token?: string }> {
    const a = spec.auth;
    if (a.kind === "signature") {
      return { headers: signatureHeaders(a.version, a.credentials, spec.method, spec.path, deps.now()) };
    }
    if (a.kind === "refresh-token") return { headers: { "x-ncp-ocapi-token": a.refreshToken } };
    const token = await deps.tokens!.accessToken(spec.keyTag!);
    return { headers: { "x-ncp-ocapi-token": token }, token };
  }

  /** Sends once; the caller has already waited for its limiter slot. */
  async function send(spec: CallSpec<z.ZodType>, headers: Record<string, string>, attempt: number) {
    const started = deps.monotonicNow();
    deps.counters.requests++;
    let status: number | undefined;
    try {
      const res = await spec.transport.send({
        method: spec.method,
        path: spec.path,
        headers,
        body: spec.body,
        action: spec.action,
        keyTag: spec.keyTag,
      });
      status = res.status;
      return res;
    } finally {
      const durationMs = deps.monotonicNow() - started;
      if (status === undefined || status >= 400) deps.counters.errors++;
      // The same secret-free fields go to the metrics hook and the debug log.
      const fields = {
        action: spec.action,
        keyTag: spec.keyTag,
        items: spec.items,
        status,
        attempt,
        durationMs,
      };
      deps.hooks.emit({ type: "request", ...fields });
      deps.hooks.debug("kms request", fields);
    }
  }

  async function interpret<T extends z.ZodType>(spec: CallSpec<T>, res: HttpResponse, attempt: number) {
    const details = { action: spec.action, keyTag: spec.keyTag, attempts: attempt };
    if (res.status >= 200 && res.status < 300) {
      const parsed = envelope(spec.data).safeParse(res.json);
      if (!parsed.success) {
        const where = parsed.error.issues[0]?.path.map(String).join(".") || "body";
        throw new KmsInvalidResponseError(
          { ...details, status: res.status },
          `field \`${where}\` does not match`,
        );
      }
      return (parsed.data as { data: z.infer<T> }).data;
    }
    const body = errorBody.safeParse(res.json);
    const retryAfterMs =
      res.status === 429 || res.status >= 500
        ? parseRetryAfter(header(res, "retry-after"), deps.now())
        : undefined;
    if (res.status === 429) {
      deps.counters.throttled++;
      deps.hooks.emit({ type: "throttled", action: spec.action, keyTag: spec.keyTag, retryAfterMs });
      // The server's quota view wins: hold every request for this bucket back as long as it asked.
      if (spec.bucket !== undefined && retryAfterMs !== undefined) {
        try {
          await deps.limiter.penalize?.(spec.bucket, retryAfterMs);
        } catch {
          // Advisory only: the caller gets the 429 below either way.
        }
      }
    }
    throw errorForStatus(res.status, {
      ...details,
      ncpCode: body.success ? body.data.code : undefined,
      retryAfterMs,
    });
  }

  async function attemptOnce<T extends z.ZodType>(spec: CallSpec<T>, attempt: number): Promise<z.infer<T>> {
    // Sign after the limiter wait, not before: the timestamp must be the send time.
    await acquire(spec);
    let auth = await authHeaders(spec);
    let res = await send(spec, auth.headers, attempt);
    if (res.status === 401 && spec.auth.kind === "token" && auth.token !== undefined) {
      const fresh = await deps.tokens!.afterUnauthorized(spec.keyTag!, auth.token);
      if (fresh !== undefined) {
        await acquire(spec);
        auth = { headers: { "x-ncp-ocapi-token": fresh }, token: fresh };
        res = await send(spec, auth.headers, attempt);
      }
    }
    return interpret(spec, res, attempt);
  }

  return <T extends z.ZodType>(spec: CallSpec<T>) =>
    withRetry(
      (attempt) => (spec.unlimited ? attemptOnce(spec, attempt) : slots(() => attemptOnce(spec, attempt))),
      {
        policy: deps.retry,
        request: {
          action: spec.action,
          keyTag: spec.keyTag,
          method: spec.method,
          idempotent: spec.idempotent ?? true,
        },
        sleep: (ms) => deps.scheduler.sleep(ms),
        now: deps.monotonicNow,
        onRetry: (error: KmsError, retry, delayMs) => {
          deps.counters.retries++;
          deps.hooks.emit({
            type: "retry",
            action: spec.action,
            keyTag: spec.keyTag,
            attempt: retry,
            delayMs,
            code: error.code,
          });
          deps.hooks.debug("kms retry", {
            action: spec.action,
            keyTag: spec.keyTag,
            attempt: retry,
            delayMs,
            code: error.code,
          });
        },
      },
    );
}
