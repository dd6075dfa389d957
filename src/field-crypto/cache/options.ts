/** `createKmsCache` options, checked once with zod; defaults are the extension's. */
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { KmsCacheOptionError } from "./errors.js";
import type { KmsCacheEvent } from "./events.js";

/** Options of {@link createKmsCache} (and of `ncpKmsEncryption({ cache })`). */
export interface KmsCacheOptions {
  /**
   * How long a value stays usable, counted from the KMS call that produced it
   * (a hit does not extend it). Bounds how long a key disabled in the KMS
   * keeps reading here. Defaults to `60000` (60 s).
   */
  ttlMs?: number;
  /**
   * Most heap bytes the cached keys and values may take (accounted per entry:
   * key, value and a fixed overhead); least recently used entries go first.
   * Defaults to `16777216` (16 MiB).
   */
  maxBytes?: number;
  /** Most entries held. Defaults to `100000`. */
  maxEntries?: number;
  /** Monotonic clock in ms, for tests. Defaults to `performance.now`. */
  now?: () => number;
  /** One event per cached KMS call (counts only: never a value, ciphertext or context). Defaults to none. */
  onEvent?: (event: KmsCacheEvent) => void;
}

export interface ResolvedCacheOptions {
  readonly ttlMs: number;
  readonly maxBytes: number;
  readonly maxEntries: number;
  readonly now: () => number;
  readonly onEvent: ((event: KmsCacheEvent) => void) | undefined;
}

export const DEFAULT_TTL_MS = 60_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_ENTRIES = 100_000;

const isFunction = (v: unknown) => typeof v === "function";

/** The zod schema, shared with the extension's `cache` option. */
export const cacheOptionsSchema = z
  .object({
    ttlMs: z.number().int().positive().optional(),
    maxBytes: z.number().int().min(0).optional(),
    maxEntries: z.number().int().min(0).optional(),
    now: z.custom<() => number>(isFunction, { error: "must be a function" }).optional(),
    onEvent: z.custom<(event: KmsCacheEvent) => void>(isFunction, { error: "must be a function" }).optional(),
  })
  .strict();

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

export function resolveCacheOptions(options: KmsCacheOptions = {}): ResolvedCacheOptions {
  const parsed = cacheOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = issue.path.map(String).join(".") || "options";
    const given =
      issue.path.length > 0 ? (options as Record<string, unknown>)[String(issue.path[0])] : options;
    throw new KmsCacheOptionError(option, `${issue.message} (got ${typeName(given)})`);
  }
  return {
    ttlMs: parsed.data.ttlMs ?? DEFAULT_TTL_MS,
    maxBytes: parsed.data.maxBytes ?? DEFAULT_MAX_BYTES,
    maxEntries: parsed.data.maxEntries ?? DEFAULT_MAX_ENTRIES,
    now: parsed.data.now ?? (() => performance.now()),
    onEvent: parsed.data.onEvent,
  };
}
