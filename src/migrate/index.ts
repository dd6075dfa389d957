/**
 * Public entry of the migration engine (`runMigration`) and the pieces the
 * CLI composes (plan stores for shards, progress formatting).
 */
export { checkpointPath } from "./checkpoint.js";
export { runMigration } from "./engine.js";
export * from "./errors.js";
export { createFilePlanStore, createRedisPlanStore, type RedisLike } from "./plan-store.js";
export { formatProgressLine, formatSummary, jsonSafe } from "./progress.js";
export { parseShard } from "./shard.js";
export type * from "./types.js";
