/**
 * A rate limiter shared by every process that points at the same Redis: the
 * same GCRA token bucket as the local limiter, run atomically in a Lua script
 * against Redis's own clock (so the processes' clocks need not agree). N app
 * servers sharing one KMS key then stay under the quota together.
 */
import { KmsInvalidOptionError } from "./errors.js";
import { defaultBurst, type RateLimiter } from "./rate-limiter.js";

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

/** Creates a Redis-backed limiter; pass it as the client's `rateLimiter` option. */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  if (!(typeof options.tps === "number" && options.tps > 0)) {
    throw new KmsInvalidOptionError("tps", `expected a number above 0; got ${typeof options.tps}`);
  }
  const intervalMs = 1000 / options.tps;
  const burst = options.burst ?? defaultBurst(options.tps);
  const prefix = options.prefix ?? "ncpkms:rl:";
  return {
    async reserve(bucket, maxWaitMs) {
      const reply = await options.redis.eval(reserveScript, 1, prefix + bucket, intervalMs, burst, maxWaitMs);
      const [granted, wait] = reply as [number, string];
      return { granted: granted === 1, waitMs: Number(wait) };
    },
    async penalize(bucket, ms) {
      await options.redis.eval(penalizeScript, 1, prefix + bucket, ms);
    },
  };
}
