/**
 * A rate limiter shared by every process that points at the same Redis: the
 * same GCRA token bucket as the local limiter, run atomically in a Lua script
 * against Redis's own clock (so the processes' clocks need not agree). N app
 * servers sharing one KMS key then stay under the quota together.
 *
 * When Redis fails (down, unreachable, slower than `timeoutMs`) a reservation
 * fails with the typed `KmsLimiterUnavailableError` — or, with `fallback`, is
 * served by an in-process bucket at `fallback.share` of `tps` until a probe
 * (at most every `probeIntervalMs`) finds Redis back.
 */
import { KmsInvalidOptionError, KmsLimiterUnavailableError } from "./errors.js";
import { createLocalRateLimiter, defaultBurst, type RateLimiter } from "./rate-limiter.js";

/** The one Redis call this limiter makes; an ioredis instance satisfies it. */
export interface RedisEvalClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** An ioredis client (or anything with a compatible `eval`). */
  redis: RedisEvalClient;
  /** Requests per second allowed per bucket, across all processes. */
  tps: number;
  /** Requests allowed back to back after idling. Defaults to `max(1, floor(tps / 10))`. */
  burst?: number;
  /** Prefix of the Redis keys (one key per bucket). Defaults to `"ncpkms:rl:"`. */
  prefix?: string;
  /**
   * Longest one Redis call may take before the limiter counts Redis as
   * unavailable, in ms (ioredis queues commands while reconnecting, so a call
   * could otherwise hang). Defaults to 1000.
   */
  timeoutMs?: number;
  /**
   * What to do while Redis is unavailable. Defaults to none: every reservation
   * fails with `KmsLimiterUnavailableError` (code `KMS_LIMITER_UNAVAILABLE`),
   * so no request goes to the KMS unmetered.
   *
   * With `{ share }`, reservations are served by an in-process token bucket at
   * `share × tps` (e.g. `1 / processes`, so that all processes together stay
   * under the quota), and Redis is tried again at most every
   * `probeIntervalMs` (defaults to 1000); the first success switches back to
   * the shared bucket.
   *
   * @example
   * ```ts
   * createRedisRateLimiter({ redis, tps: 270, fallback: { share: 0.25 } }) // 4 app servers
   * ```
   */
  fallback?: { share: number; probeIntervalMs?: number };
  /** Called when the limiter switches between the shared (Redis) and the local fallback bucket. Defaults to none. */
  onModeChange?: (mode: "shared" | "local") => void;
  /** Monotonic clock in ms, for probes and the fallback bucket. Defaults to `performance.now()`. */
  now?: () => number;
}

// Returns {granted (0/1), waitMs as a string} — Redis truncates Lua numbers to integers.
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local start = math.max(tat, now)
local wait = math.max(0, start - (burst - 1) * interval - now)
if wait > maxWait then return {0, tostring(wait)} end
local newTat = start + interval
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.ceil(newTat - now) + 1000)
return {1, tostring(wait)}
`;

const penalizeScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local newTat = math.max(tat, now + tonumber(ARGV[1]))
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.ceil(newTat - now) + 1000)
return 1
`;

function positive(option: string, value: unknown, max = Number.POSITIVE_INFINITY): void {
  if (!(typeof value === "number" && value > 0 && value <= max)) {
    const bound = max === Number.POSITIVE_INFINITY ? "above 0" : `above 0 and at most ${max}`;
    throw new KmsInvalidOptionError(option, `expected a number ${bound}; got ${typeof value}`);
  }
}

/** Keeps only the name and message of a Redis client error (never the command or its arguments). */
function redisCause(error: unknown): Error {
  const clean = new Error(error instanceof Error ? error.message : "Redis call failed");
  clean.name = error instanceof Error ? error.name : "Error";
  return clean;
}

/** Creates a Redis-backed limiter; pass it as the client's `rateLimiter` option. */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  positive("tps", options.tps);
  if (options.timeoutMs !== undefined) positive("timeoutMs", options.timeoutMs);
  if (options.fallback !== undefined) {
    positive("fallback.share", options.fallback.share, 1);
    if (options.fallback.probeIntervalMs !== undefined) {
      positive("fallback.probeIntervalMs", options.fallback.probeIntervalMs);
    }
  }
  const intervalMs = 1000 / options.tps;
  const burst = options.burst ?? defaultBurst(options.tps);
  const prefix = options.prefix ?? "ncpkms:rl:";
  const timeoutMs = options.timeoutMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  const fallback = options.fallback;
  const probeIntervalMs = fallback?.probeIntervalMs ?? 1000;
  const local =
    fallback === undefined ? undefined : createLocalRateLimiter({ tps: options.tps * fallback.share, now });
  /** Monotonic time of the last Redis failure while on the local bucket; `undefined` when shared. */
  let localSince: number | undefined;

  function setMode(mode: "shared" | "local"): void {
    try {
      options.onModeChange?.(mode);
    } catch {
      // An observer's failure must not change which bucket serves.
    }
  }

  async function call(script: string, bucket: string, args: Array<string | number>): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply from Redis within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([options.redis.eval(script, 1, prefix + bucket, ...args), timeout]);
    } catch (error) {
      throw new KmsLimiterUnavailableError({ action: "rate-limit", cause: redisCause(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `shared` against Redis, or the local fallback while Redis is down (probing now and then). */
  async function either<T>(shared: () => Promise<T>, onLocal: () => Promise<T> | T): Promise<T> {
    if (local === undefined) return shared();
    if (localSince !== undefined && now() - localSince < probeIntervalMs) return onLocal();
    try {
      const result = await shared();
      if (localSince !== undefined) {
        localSince = undefined;
        setMode("shared");
      }
      return result;
    } catch (error) {
      if (!(error instanceof KmsLimiterUnavailableError)) throw error;
      if (localSince === undefined) setMode("local");
      localSince = now();
      return onLocal();
    }
  }

  return {
    reserve(bucket, maxWaitMs) {
      return either(
        async () => {
          const reply = await call(reserveScript, bucket, [intervalMs, burst, maxWaitMs]);
          const [granted, wait] = reply as [number, string];
          return { granted: granted === 1, waitMs: Number(wait) };
        },
        () => local!.reserve(bucket, maxWaitMs),
      );
    },
    async penalize(bucket, ms) {
      await either(
        () => call(penalizeScript, bucket, [ms]),
        () => local!.penalize?.(bucket, ms),
      );
    },
  };
}
