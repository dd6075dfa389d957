/**
 * The shared (Redis) limiter under a real outage: our own redis-server is
 * killed mid-run by its pid and restarted. Without a fallback every KMS call
 * fails fast with the typed KMS_LIMITER_UNAVAILABLE (and nothing is sent to
 * the KMS); with one, calls go on under a local bucket at a share of the
 * quota. Once Redis is back the shared limiter serves again: two clients
 * sharing one key's quota get 0 × 429.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { isNcpKmsError } from "../../src/errors.js";
import {
  createKmsClient,
  createRedisRateLimiter,
  type KmsClient,
  KmsLimiterUnavailableError,
  type RedisRateLimiterOptions,
} from "../../src/kms/index.js";
import { type OwnRedis, ownRedis } from "./fixtures/redis-server.js";
import { bytes, emulatorWithKey } from "./helpers.js";

const QUOTA = 20;
const TPS = QUOTA * 0.9;

let emu: RunningEmulator;
let keyTag: string;
let server: OwnRedis;
const opened: Array<{ client: KmsClient; redis: Redis }> = [];

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({ tpsV2: QUOTA }, { keyName: "outage-key" }));
  server = await ownRedis();
});
afterAll(async () => {
  await server.kill();
  await emu.close();
});
beforeEach(async () => {
  await server.start();
  emu.resetStats();
  emu.setQuota({ tpsV2: QUOTA });
});
afterEach(async () => {
  for (const { client, redis } of opened.splice(0)) {
    await client.close();
    redis.disconnect();
  }
  await server.kill();
});

interface Probe {
  client: KmsClient;
  redis: Redis;
  modes: Array<"shared" | "local">;
}

function sharedClient(prefix: string, fallback?: RedisRateLimiterOptions["fallback"]): Probe {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on("error", () => undefined); // connection errors surface through the limiter
  const modes: Array<"shared" | "local"> = [];
  const client = createKmsClient({
    endpoint: emu.url,
    auth: { type: "signature", ...emu.credentials },
    tps: TPS,
    retry: { retries: 0 },
    rateLimiter: createRedisRateLimiter({
      redis,
      tps: TPS,
      prefix,
      timeoutMs: 300,
      ...(fallback === undefined ? {} : { fallback }),
      onModeChange: (mode) => modes.push(mode),
    }),
  });
  opened.push({ client, redis });
  return { client, redis, modes };
}

let seq = 0;
/** One separate request (a fresh context each time, so nothing coalesces). */
const oneRequest = (client: KmsClient) => client.encryptMany(keyTag, bytes(`ctx-${seq++}`), [bytes("v")]);

const ready = (redis: Redis) =>
  redis.status === "ready" ? Promise.resolve() : new Promise<void>((r) => redis.once("ready", () => r()));

/** `n` requests one after another; Redis is killed (by pid) once `killAfter` have completed. */
async function stream(client: KmsClient, n: number, killAfter: number) {
  const outcomes: Array<PromiseSettledResult<string[]>> = [];
  for (let i = 0; i < n; i++) {
    if (i === killAfter) await server.kill();
    outcomes.push(...(await Promise.allSettled([oneRequest(client)])));
  }
  return outcomes;
}

/** Two clients, `n` requests each at once: returns how many failed; the emulator counts 429s. */
async function burst(a: KmsClient, b: KmsClient, n: number): Promise<number> {
  const all = await Promise.allSettled(
    Array.from({ length: n }, () => [oneRequest(a), oneRequest(b)]).flat(),
  );
  return all.filter((r) => r.status === "rejected").length;
}

describe("Redis limiter outage", () => {
  it("without a fallback: typed KMS_LIMITER_UNAVAILABLE, nothing sent; 0 × 429 after recovery", async () => {
    const prefix = `outage-a-${process.pid}:`;
    const a = sharedClient(prefix);
    const b = sharedClient(prefix);
    await ready(a.redis);
    await ready(b.redis);

    // Mid-run: requests one after another, Redis killed after the fifth.
    const outcomes = await stream(a.client, 12, 5);
    const errors = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e).toBeInstanceOf(KmsLimiterUnavailableError);
      expect(isNcpKmsError(e)).toBe(true);
      expect(e).toMatchObject({ code: "KMS_LIMITER_UNAVAILABLE" });
    }
    // Fail closed on the quota: a request the limiter could not admit never reached the KMS.
    expect(emu.stats().requests).toBe(12 - errors.length);

    await server.start();
    await Promise.all([ready(a.redis), ready(b.redis)]);
    emu.resetStats();
    emu.setQuota({ tpsV2: QUOTA });
    expect(await burst(a.client, b.client, 20)).toBe(0);
    expect(emu.stats().throttled).toBe(0);
    expect(a.modes).toEqual([]);
  });

  it("with a fallback: calls go on at a share of the quota, then the shared limiter is back; 0 × 429", async () => {
    const prefix = `outage-b-${process.pid}:`;
    const fallback = { share: 0.5, probeIntervalMs: 100 };
    const a = sharedClient(prefix, fallback);
    const b = sharedClient(prefix, fallback);
    await Promise.all([ready(a.redis), ready(b.redis)]);

    const outcomes = (await Promise.all([stream(a.client, 15, 3), stream(b.client, 15, 3)])).flat();
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    expect(a.modes).toContain("local");
    expect(b.modes).toContain("local");
    // Both at half of 90 % of the quota while Redis is down: under the quota together.
    expect(emu.stats().throttled).toBe(0);

    await server.start();
    await Promise.all([ready(a.redis), ready(b.redis)]);
    for (const p of [a, b]) {
      for (let i = 0; i < 50 && p.modes.at(-1) !== "shared"; i++) await oneRequest(p.client);
      expect(p.modes.at(-1)).toBe("shared");
    }
    emu.resetStats();
    emu.setQuota({ tpsV2: QUOTA });
    expect(await burst(a.client, b.client, 20)).toBe(0);
    expect(emu.stats().throttled).toBe(0);
    expect(await a.redis.exists(`${prefix}${keyTag}`)).toBe(1);
  });
});
