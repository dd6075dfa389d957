/**
 * The cache of values the KMS already answered: a decorator around
 * `KmsCrypto` (decrypt cache, convergent encrypt cache, single-flight).
 */
export { KmsCacheOptionError } from "./errors.js";
export type { KmsCacheEvent, KmsCacheStats } from "./events.js";
export { createKmsCache, KmsCache, type WrapOptions } from "./kms-cache.js";
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_TTL_MS, type KmsCacheOptions } from "./options.js";
