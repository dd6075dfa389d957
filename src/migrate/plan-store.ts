/**
 * Where the processes of a sharded run agree on shard boundaries: the first
 * process to ask computes and stores them, the others read them. A file in
 * the state directory (processes on one machine, or a shared directory) or a
 * Redis key (processes anywhere; the same Redis as the shared rate limiter).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PlanStore } from "./types.js";

/** Plans as files `<dir>/plan-<key>.json`, created exclusively (`wx`). */
export function createFilePlanStore(dir: string): PlanStore {
  return {
    async getOrSet(key, compute) {
      const path = join(dir, `plan-${key.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      const value = await compute();
      await mkdir(dir, { recursive: true });
      try {
        await writeFile(path, value, { flag: "wx" });
        return value;
      } catch (error) {
        // Another process won the race: use its plan.
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFile(path, "utf8");
        throw error;
      }
    },
  };
}

/** The subset of an ioredis client the plan store uses. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: "EX", seconds: number, flag: "NX"): Promise<"OK" | null>;
}

/**
 * Plans as Redis keys `prisma-ncp-kms:migrate:plan:<key>` (SET NX), kept for
 * `ttlSeconds` (defaults to 1 day: processes of one run start within
 * minutes of each other; a later run re-plans on fresh data).
 */
export function createRedisPlanStore(redis: RedisLike, ttlSeconds = 24 * 3600): PlanStore {
  return {
    async getOrSet(key, compute) {
      const redisKey = `prisma-ncp-kms:migrate:plan:${key}`;
      const existing = await redis.get(redisKey);
      if (existing !== null) return existing;
      const value = await compute();
      const set = await redis.set(redisKey, value, "EX", ttlSeconds, "NX");
      if (set === "OK") return value;
      return (await redis.get(redisKey)) ?? value;
    },
  };
}
