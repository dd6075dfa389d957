/**
 * The one store behind both caches: an LRU map bounded by entries and by
 * bytes, each entry valid for a fixed time from when it was stored (a hit
 * does not extend it). Keys and values are one-byte strings, so what an
 * entry holds on the heap is its key and value lengths plus a fixed overhead.
 *
 * Recency is a doubly linked list through the entries (head = least
 * recently used): a hit or an eviction is a few pointer moves. (The Map's own
 * insertion order would do the same in theory, but deleting from its front
 * leaves holes that every later `keys().next()` walks over: quadratic.)
 */

/**
 * Heap bytes one entry costs besides its key and value characters: the
 * Map's slot (with the spare capacity a churning Map keeps), the entry
 * object, and the string headers. Measured in test/cache/memory.test.ts: a
 * 30-byte envelope under an 80-character ciphertext really takes ~335 B (~435 B once LRU churn has grown the Map),
 * accounted as ~510 B; a capped cache's heap stays under its cap.
 */
export const ENTRY_OVERHEAD_BYTES = 400;

/** What an entry caches: a decrypted envelope, or a convergent ciphertext. */
export type EntryKind = "decrypt" | "encrypt";

interface Entry {
  readonly key: string;
  readonly kind: EntryKind;
  readonly value: string;
  readonly bytes: number;
  readonly expiresAt: number;
  /** Key tag and ciphertext version of an encrypt entry, to retire it after a rotation. */
  readonly keyTag: string;
  readonly version: number;
  /** Neighbours in recency order (`older` towards the head). */
  older: Entry | undefined;
  newer: Entry | undefined;
}

export interface StoreLimits {
  readonly ttlMs: number;
  readonly maxBytes: number;
  readonly maxEntries: number;
  /** Monotonic ms. */
  readonly now: () => number;
}

/** Running totals, by kind where it matters. */
export interface StoreCounters {
  hits: Record<EntryKind, number>;
  misses: Record<EntryKind, number>;
  /** Entries dropped to stay under `maxBytes` / `maxEntries`. */
  evictions: number;
  /** Entries found past their TTL (counted as misses too). */
  expirations: number;
  /** Encrypt entries found on a key version older than the newest seen (counted as misses too). */
  retired: number;
}

export class BoundedStore {
  private readonly entries = new Map<string, Entry>();
  /** Least recently used. */
  private head: Entry | undefined;
  /** Most recently used. */
  private tail: Entry | undefined;
  private heldBytes = 0;
  readonly counters: StoreCounters = {
    hits: { decrypt: 0, encrypt: 0 },
    misses: { decrypt: 0, encrypt: 0 },
    evictions: 0,
    expirations: 0,
    retired: 0,
  };

  constructor(private readonly limits: StoreLimits) {}

  /** Bytes the entries account for (keys, values, overhead). */
  get bytes(): number {
    return this.heldBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The value under `key`, or `undefined` (a miss) when absent, expired, or —
   * with `minVersion` — an encrypt entry on an older key version.
   */
  get(kind: EntryKind, key: string, minVersion = 0): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.counters.misses[kind]++;
      return undefined;
    }
    if (this.limits.now() >= entry.expiresAt) {
      this.remove(key, entry);
      this.counters.expirations++;
      this.counters.misses[kind]++;
      return undefined;
    }
    if (entry.version < minVersion) {
      this.remove(key, entry);
      this.counters.retired++;
      this.counters.misses[kind]++;
      return undefined;
    }
    if (entry !== this.tail) {
      this.unlink(entry);
      this.append(entry);
    }
    this.counters.hits[kind]++;
    return entry.value;
  }

  /** Stores `value`, evicting least recently used entries to stay within both bounds. */
  set(kind: EntryKind, key: string, value: string, keyTag = "", version = 0): void {
    const bytes = key.length + value.length + ENTRY_OVERHEAD_BYTES;
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    if (bytes > this.limits.maxBytes || this.limits.maxEntries === 0) return;
    // Whole ms: a small integer is stored inline, a fraction would box a heap number per entry.
    const expiresAt = Math.ceil(this.limits.now() + this.limits.ttlMs);
    const entry: Entry = {
      key,
      kind,
      value,
      bytes,
      expiresAt,
      keyTag,
      version,
      older: undefined,
      newer: undefined,
    };
    this.entries.set(key, entry);
    this.append(entry);
    this.heldBytes += bytes;
    while (this.heldBytes > this.limits.maxBytes || this.entries.size > this.limits.maxEntries) {
      const oldest = this.head;
      if (oldest === undefined) break;
      this.remove(oldest.key, oldest);
      this.counters.evictions++;
    }
  }

  /** Drops every encrypt entry of `keyTag` below `minVersion` now (rather than at its next lookup). */
  retire(keyTag: string, minVersion: number): number {
    let count = 0;
    for (const [key, entry] of this.entries) {
      if (entry.kind === "encrypt" && entry.keyTag === keyTag && entry.version < minVersion) {
        this.remove(key, entry);
        count++;
      }
    }
    this.counters.retired += count;
    return count;
  }

  clear(): void {
    this.entries.clear();
    this.head = undefined;
    this.tail = undefined;
    this.heldBytes = 0;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.unlink(entry);
    this.heldBytes -= entry.bytes;
  }

  private append(entry: Entry): void {
    entry.older = this.tail;
    entry.newer = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.newer = entry;
    this.tail = entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older === undefined) this.head = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.tail = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
