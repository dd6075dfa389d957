/**
 * The retry layer. A retry policy is a function `(error, attempt, request) =>
 * delayMs | undefined` (undefined: give up), so apps can replace it; the
 * default is capped exponential backoff with full jitter that
 *
 * - retries only errors that say they are retryable (429, 5xx, timeouts,
 *   dropped connections); every other 4xx fails at once;
 * - never repeats a non-idempotent call (`token-set`, `create-key`,
 *   `rotate-key`) once the request may have reached the server: such a call
 *   is retried only when the connection was never made (refused, DNS) or on a
 *   429 with `Retry-After` (the server turned it away without acting);
 * - is bounded by a count and by total elapsed (monotonic) time.
 */
import { KmsError } from "./errors.js";

/** Tuning of the default retry policy. */
export interface RetryPolicy {
  /** Retries after the first attempt. Defaults to 5. */
  retries: number;
  /** Backoff base for the first retry, in ms. Defaults to 100. */
  minDelayMs: number;
  /** Cap on one backoff, in ms (a longer `Retry-After` is still honoured). Defaults to 5000. */
  maxDelayMs: number;
  /** Give up instead of waiting past this much total time, in ms. Defaults to 30000. */
  maxElapsedMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 5,
  minDelayMs: 100,
  maxDelayMs: 5000,
  maxElapsedMs: 30_000,
};

/** The call a retry decision is about; all fields are safe to log. */
export interface RetryRequest {
  /** KMS action, e.g. `encrypt`, `rotate-key`. */
  action: string;
  keyTag: string | undefined;
  method: "GET" | "POST";
  /**
   * `false` for calls that change state on the server each time they run
   * (`token-set`, `create-key`, `rotate-key`): repeating one that reached the
   * server would rotate a key twice.
   */
  idempotent: boolean;
  /** Monotonic ms since the first attempt started. */
  elapsedMs: number;
}

/**
 * Decides whether to retry after `attempt` (from 1) failed with `error`:
 * returns the delay in ms before the next attempt, or `undefined` to give up
 * (the caller then gets `error`).
 */
export type RetryPolicyFunction = (
  error: KmsError,
  attempt: number,
  request: RetryRequest,
) => number | undefined;

/** Full-jitter backoff for retry number `retry` (1-based). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses `Retry-After`: delay-seconds or an HTTP date. Returns ms to wait,
 * or `undefined` when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowEpochMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowEpochMs);
}

/** Whether repeating the failed request cannot make the server act twice. */
export function safeToRepeat(error: KmsError, request: Pick<RetryRequest, "idempotent">): boolean {
  if (request.idempotent) return true;
  if (error.requestNotSent) return true;
  return error.code === "KMS_THROTTLED" && error.retryAfterMs !== undefined;
}

/** The default policy with the given tuning; `random` drives the jitter. */
export function createDefaultRetryPolicy(
  tuning: RetryPolicy = defaultRetryPolicy,
  random: () => number = Math.random,
): RetryPolicyFunction {
  return (error, attempt, request) => {
    if (!error.retryable || attempt > tuning.retries || !safeToRepeat(error, request)) return undefined;
    const jitter = backoffDelay(attempt, tuning, random);
    const delay = error.retryAfterMs === undefined ? jitter : error.retryAfterMs + Math.min(jitter, 100);
    if (request.elapsedMs + delay > tuning.maxElapsedMs) return undefined;
    return delay;
  };
}

/** What {@link withRetry} needs from its environment (injectable for tests). */
export interface RetryEnv {
  policy: RetryPolicyFunction;
  /** The call, for the policy (`elapsedMs` is filled in per decision). */
  request: Omit<RetryRequest, "elapsedMs">;
  sleep: (ms: number) => Promise<void>;
  /** Monotonic clock in ms (never the wall clock: a clock jump must not stall or flood). */
  now: () => number;
  /** Called before each retry's wait; for counters and logs. */
  onRetry?: (error: KmsError, retry: number, delayMs: number) => void;
}

/** Runs `attempt(n)` (n from 1) until it succeeds, fails with a non-KMS error, or the policy gives up. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, env: RetryEnv): Promise<T> {
  const started = env.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof KmsError)) throw error;
      const delay = env.policy(error, n, { ...env.request, elapsedMs: env.now() - started });
      if (delay === undefined || !(delay >= 0)) throw error.withAttempts(n);
      env.onRetry?.(error, n, delay);
      await env.sleep(delay);
    }
  }
}
