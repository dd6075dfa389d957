/**
 * `createKmsCache`: the in-process cache of values the KMS already answered,
 * shared by every `KmsCrypto` it wraps. Memory only (never disk), bounded by
 * bytes and entries (LRU), each value usable for `ttlMs` from the KMS call
 * that produced it.
 */
import type { KmsCrypto } from "../../kms/types.js";
import { CachedKms } from "./cached-kms.js";
import type { KmsCacheEvent, KmsCacheStats } from "./events.js";
import { KeyVersions } from "./key-versions.js";
import { type KmsCacheOptions, resolveCacheOptions } from "./options.js";
import { InFlight } from "./single-flight.js";
import { BoundedStore, type EntryKind } from "./store.js";

/** What the wrappers of one cache share. Internal. */
export class CacheState {
  readonly store: BoundedStore;
  readonly versions = new KeyVersions();
  readonly inFlight = new InFlight();
  readonly joined: Record<EntryKind, number> = { decrypt: 0, encrypt: 0 };
  readonly sent: Record<EntryKind, number> = { decrypt: 0, encrypt: 0 };
  private readonly scopes = new Map<string, string>();
  /**
   * The scope last found for a context array, by identity: the extension
   * passes each field's own context on every call, so its hex need not be
   * rebuilt per call. Checked against a copy of the bytes, so a caller that
   * reuses one array for another context still gets that context's scope.
   */
  private readonly recent = new WeakMap<Uint8Array, { keyTag: string; bytes: Uint8Array; id: string }>();

  constructor(
    limits: ConstructorParameters<typeof BoundedStore>[0],
    readonly onEvent: ((event: KmsCacheEvent) => void) | undefined,
  ) {
    this.store = new BoundedStore(limits);
  }

  /**
   * A short id for (key tag, context), the prefix of every cache key: a
   * value is only ever answered for the key tag and context it was asked
   * with, so a ciphertext decrypted under one context never answers a
   * lookup under another.
   */
  scope(keyTag: string, context: Uint8Array | undefined): string {
    if (context === undefined) return this.scopeOf(`${keyTag}\u0000`);
    const seen = this.recent.get(context);
    if (seen !== undefined && seen.keyTag === keyTag && sameBytes(seen.bytes, context)) return seen.id;
    const id = this.scopeOf(`${keyTag}\u0000${Buffer.from(context).toString("hex")}`);
    this.recent.set(context, { keyTag, bytes: Uint8Array.from(context), id });
    return id;
  }

  private scopeOf(full: string): string {
    let id = this.scopes.get(full);
    if (id === undefined) {
      id = `${this.scopes.size.toString(36)}\u0000`;
      this.scopes.set(full, id);
    }
    return id;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Options of {@link KmsCache.wrap}. */
export interface WrapOptions {
  /**
   * Key tags of convergent keys: only their encrypt results (with a context)
   * are reused, since a random-IV key must give a new ciphertext each time.
   * Defaults to none.
   */
  convergentKeyTags?: Iterable<string>;
}

/** Something that reports KMS requests, like `KmsClient.on`: rotations through it are seen at once. */
interface RequestEvents {
  on(
    listener: (event: {
      type: string;
      action?: string;
      keyTag?: string | undefined;
      status?: number | undefined;
    }) => void,
  ): unknown;
}

const hasEvents = (kms: KmsCrypto): kms is KmsCrypto & RequestEvents =>
  typeof (kms as Partial<RequestEvents>).on === "function";

/**
 * An in-process cache of KMS answers. Create one with {@link createKmsCache},
 * pass it as `ncpKmsEncryption({ cache })` (several clients may share it),
 * and read its `stats()`.
 */
export class KmsCache {
  private readonly state: CacheState;
  private readonly limits: { maxBytes: number; maxEntries: number };

  constructor(options: KmsCacheOptions = {}) {
    const resolved = resolveCacheOptions(options);
    this.limits = { maxBytes: resolved.maxBytes, maxEntries: resolved.maxEntries };
    this.state = new CacheState(resolved, resolved.onEvent);
  }

  /**
   * A `KmsCrypto` that answers from this cache and sends the rest to `kms`.
   * When `kms` is a `KmsClient`, its `rotateKey` and re-encrypt requests
   * (a migration in this process) retire the key's cached convergent
   * ciphertexts at once.
   */
  wrap(kms: KmsCrypto, options: WrapOptions = {}): KmsCrypto {
    if (hasEvents(kms)) {
      kms.on((event) => {
        const ok = event.status !== undefined && event.status >= 200 && event.status < 300;
        // A re-encrypt means a migration to a newer version is under way (e.g. `runMigration` on this
        // client after a rotation done elsewhere): retiring is always safe, it only costs a KMS call.
        const rotation = event.action === "rotate-key" || event.action === "re-encrypt";
        if (event.type === "request" && rotation && ok && event.keyTag !== undefined) {
          this.keyRotated(event.keyTag);
        }
      });
    }
    return new CachedKms(kms, this.state, new Set(options.convergentKeyTags ?? []));
  }

  /**
   * Tells the cache a key was rotated elsewhere (console, another process):
   * its cached convergent ciphertexts stop being used, so the next writes
   * and lookups go to the newest version. `version`, when known, is the new one.
   */
  keyRotated(keyTag: string, version?: number): void {
    this.state.versions.rotated(keyTag, version);
    this.state.store.retire(keyTag, Number.POSITIVE_INFINITY);
  }

  /** Drops every entry (counters keep running). */
  clear(): void {
    this.state.store.clear();
  }

  /** Totals since creation, and what is held now. */
  stats(): KmsCacheStats {
    const { counters } = this.state.store;
    return {
      hits: { ...counters.hits },
      misses: { ...counters.misses },
      joined: { ...this.state.joined },
      sent: { ...this.state.sent },
      evictions: counters.evictions,
      expirations: counters.expirations,
      retired: counters.retired,
      bytes: this.state.store.bytes,
      entries: this.state.store.size,
      maxBytes: this.limits.maxBytes,
      maxEntries: this.limits.maxEntries,
    };
  }
}

/**
 * Creates an in-process cache of KMS answers (decrypted values and
 * convergent ciphertexts). Throws `KmsCacheOptionError` naming a wrong option.
 *
 * @example
 * ```ts
 * const cache = createKmsCache({ ttlMs: 30_000, maxBytes: 8 * 1024 * 1024 });
 * const prisma = new PrismaClient({ adapter }).$extends(ncpKmsEncryption({ map, kms, keys, cache }));
 * // later, for metrics:
 * const { hits, misses, bytes } = cache.stats();
 * ```
 */
export function createKmsCache(options: KmsCacheOptions = {}): KmsCache {
  return new KmsCache(options);
}
