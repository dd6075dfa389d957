/** What the cache reports: running totals and one event per call. Counts only, never a value. */
import type { EntryKind } from "./store.js";

/** Totals since the cache was created (or cleared: `clear()` keeps the counters). */
export interface KmsCacheStats {
  /** Values answered from the cache. */
  hits: Record<EntryKind, number>;
  /** Values not in the cache (absent, expired or retired): `joined` + `sent`. */
  misses: Record<EntryKind, number>;
  /** Misses answered by an identical value already in flight or repeated in the same call. */
  joined: Record<EntryKind, number>;
  /** Values sent to the KMS. */
  sent: Record<EntryKind, number>;
  /** Entries dropped to stay under `maxBytes` / `maxEntries`. */
  evictions: number;
  /** Entries found past their TTL. */
  expirations: number;
  /** Convergent ciphertexts dropped because a newer key version was seen or the key was rotated. */
  retired: number;
  /** Bytes the entries account for now (never above `maxBytes`). */
  bytes: number;
  /** Entries held now. */
  entries: number;
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/** One cached `decrypt…`/`encryptMany` call. */
export interface KmsCacheEvent {
  readonly type: EntryKind;
  readonly keyTag: string;
  /** Values asked for. */
  readonly values: number;
  readonly hits: number;
  readonly joined: number;
  readonly sent: number;
  /** Evictions this call caused. */
  readonly evictions: number;
  /** Bytes held after the call. */
  readonly bytes: number;
}
