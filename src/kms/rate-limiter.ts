/**
 * Token-bucket rate limiting, written as GCRA (the "virtual scheduling" form
 * of a token bucket): one number per bucket, the theoretical arrival time of
 * the next request. A caller reserves a slot and is told how long to wait for
 * it, so waiting callers are served in order and never poll.
 */

/** The result of asking for one request slot. */
export type Reservation =
  /** The slot is reserved; send after waiting `waitMs`. */
  | { granted: true; waitMs: number }
  /** Nothing was reserved: the slot would come after `maxWaitMs`. */
  | { granted: false; waitMs: number };

/**
 * A pluggable limiter. `bucket` is a key tag (API 2.0 quota is per key) or
 * `"account"` (API 1.0 quota is per account). Implementations must be safe
 * for concurrent callers; see `createRedisRateLimiter` for one shared by
 * many processes.
 */
export interface RateLimiter {
  reserve(bucket: string, maxWaitMs: number): Promise<Reservation>;
  /** Optional: the server said 429; hold the bucket back for `ms`. */
  penalize?(bucket: string, ms: number): Promise<void> | void;
}

/** Options of {@link createLocalRateLimiter}. */
export interface LocalRateLimiterOptions {
  /** Requests per second allowed per bucket. */
  tps: number;
  /**
   * Requests allowed back to back after an idle period. Defaults to
   * `max(1, floor(tps / 10))`, so that any one-second window holds at most
   * about `1.1 × tps` requests — still under the server's quota when `tps`
   * is 90% of it, whether the server counts in fixed or sliding windows.
   */
  burst?: number;
  /** Clock in ms. Defaults to `performance.now()`-based monotonic time. */
  now?: () => number;
}

/** Pure GCRA step: returns the new theoretical arrival time and the wait, or `undefined` if over `maxWaitMs`. */
export function gcraReserve(
  tat: number,
  now: number,
  intervalMs: number,
  burst: number,
  maxWaitMs: number,
): { tat: number; waitMs: number } | { tat: undefined; waitMs: number } {
  const start = Math.max(tat, now);
  const allowedAt = start - (burst - 1) * intervalMs;
  const waitMs = Math.max(0, allowedAt - now);
  if (waitMs > maxWaitMs) return { tat: undefined, waitMs };
  return { tat: start + intervalMs, waitMs };
}

/** Default burst for a rate: about a tenth of a second's worth, at least 1. */
export function defaultBurst(tps: number): number {
  return Math.max(1, Math.floor(tps / 10));
}

/** An in-process token bucket per bucket key. */
export function createLocalRateLimiter(options: LocalRateLimiterOptions): RateLimiter {
  const intervalMs = 1000 / options.tps;
  const burst = options.burst ?? defaultBurst(options.tps);
  const now = options.now ?? (() => performance.now());
  const tats = new Map<string, number>();
  return {
    async reserve(bucket, maxWaitMs) {
      const t = now();
      const step = gcraReserve(tats.get(bucket) ?? t, t, intervalMs, burst, maxWaitMs);
      if (step.tat === undefined) return { granted: false, waitMs: step.waitMs };
      tats.set(bucket, step.tat);
      return { granted: true, waitMs: step.waitMs };
    },
    penalize(bucket, ms) {
      const t = now();
      tats.set(bucket, Math.max(tats.get(bucket) ?? t, t + ms));
    },
  };
}
