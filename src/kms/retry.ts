/**
 * Retry with capped exponential backoff and full jitter. Only errors that say
 * they are retryable (429, 5xx, timeouts, dropped connections) are retried;
 * every other 4xx fails at once. Bounded by a count and by total elapsed time.
 */
import { KmsError } from "./errors.js";

/** How hard to retry. */
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

/** What {@link withRetry} needs from its environment (injectable for tests). */
export interface RetryEnv {
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** Monotonic clock in ms. */
  now: () => number;
  random: () => number;
  /** Called before each retry's wait; for counters and logs. */
  onRetry?: (error: KmsError, retry: number, delayMs: number) => void;
}

/** Runs `attempt(n)` (n from 1) until it succeeds, fails non-retryably, or the policy is spent. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, env: RetryEnv): Promise<T> {
  const started = env.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof KmsError)) throw error;
      if (!error.retryable || n > env.policy.retries) throw error.withAttempts(n);
      const jitter = backoffDelay(n, env.policy, env.random);
      const delay = error.retryAfterMs === undefined ? jitter : error.retryAfterMs + Math.min(jitter, 100);
      if (env.now() - started + delay > env.policy.maxElapsedMs) throw error.withAttempts(n);
      env.onRetry?.(error, n, delay);
      await env.sleep(delay);
    }
  }
}
