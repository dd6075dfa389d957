/**
 * The decrypt cache with an injected clock: hits, misses, TTL counted from
 * the decrypt, LRU eviction by entries and by bytes, the key made of key
 * tag AND context AND ciphertext, failures never stored, events and stats.
 */
import { describe, expect, it } from "vitest";
import {
  createKmsCache,
  type KmsCacheEvent,
  KmsCacheOptionError,
} from "../../src/field-crypto/cache/index.js";
import { ENTRY_OVERHEAD_BYTES } from "../../src/field-crypto/cache/store.js";
import { bytes, fakeKms, text } from "./fake-kms.js";

const ctxA = bytes("context-a");
const ctxB = bytes("context-b");

function setup(options: Parameters<typeof createKmsCache>[0] = {}) {
  let clock = 1_000;
  const events: KmsCacheEvent[] = [];
  const cache = createKmsCache({
    ttlMs: 60_000,
    now: () => clock,
    onEvent: (e) => events.push(e),
    ...options,
  });
  const inner = fakeKms();
  const kms = cache.wrap(inner);
  return {
    cache,
    inner,
    kms,
    events,
    advance: (ms: number) => {
      clock += ms;
    },
    /** A ciphertext made by the inner KMS directly, so the cache has not seen it. */
    foreign: async (value: string, keyTag = "k1", context: Uint8Array | undefined = undefined) =>
      (await inner.encryptMany(keyTag, context, [bytes(value)]))[0]!,
  };
}

describe("decrypt cache", () => {
  it("answers a second decrypt from memory, and again after TTL only from the KMS", async () => {
    const t = setup();
    const c = await t.foreign("alice");
    const before = t.inner.sent("decrypt");
    const [first] = await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(first).toEqual({ ok: true, value: bytes("alice") });
    expect(t.inner.sent("decrypt") - before).toBe(1);
    t.advance(59_999);
    const [second] = await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(second?.ok && text(second.value)).toBe("alice");
    expect(t.inner.sent("decrypt") - before).toBe(1);
    t.advance(1); // 60 s after the decrypt: the hit at 59.999 s did not extend it
    await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(t.inner.sent("decrypt") - before).toBe(2);
    const stats = t.cache.stats();
    expect(stats.hits.decrypt).toBe(1);
    expect(stats.misses.decrypt).toBe(2);
    expect(stats.expirations).toBe(1);
    expect(stats.sent.decrypt).toBe(2);
  });

  it("returns a fresh copy on each hit (a caller cannot change what the cache holds)", async () => {
    const t = setup();
    const c = await t.foreign("bob");
    const [a] = await t.kms.decryptMany("k1", undefined, [c]);
    a!.fill(0);
    const [b] = await t.kms.decryptMany("k1", undefined, [c]);
    expect(text(b!)).toBe("bob");
  });

  it("keys on key tag and context: the same ciphertext under another context or key goes to the KMS", async () => {
    const t = setup();
    const c = await t.foreign("carol", "k1", ctxA);
    expect((await t.kms.decryptManySettled("k1", ctxA, [c]))[0]?.ok).toBe(true);
    const sent = t.inner.sent("decrypt");
    // The fake KMS refuses the wrong context, as NCP does; the cache must not answer it.
    const [otherContext] = await t.kms.decryptManySettled("k1", ctxB, [c]);
    expect(otherContext?.ok).toBe(false);
    const [noContext] = await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(noContext?.ok).toBe(false);
    const [otherKey] = await t.kms.decryptManySettled("k2", ctxA, [c]);
    expect(otherKey?.ok).toBe(false);
    expect(t.inner.sent("decrypt") - sent).toBe(3);
  });

  it("keys on the context's bytes, not its array: one array rewritten to another context is not answered from the first", async () => {
    const t = setup();
    const reused = Uint8Array.from(ctxA);
    const c = await t.foreign("carol", "k1", ctxA);
    expect((await t.kms.decryptManySettled("k1", reused, [c]))[0]?.ok).toBe(true);
    expect((await t.kms.decryptManySettled("k1", reused, [c]))[0]?.ok).toBe(true);
    expect(t.inner.sent("decrypt")).toBe(1);
    // The same array, now holding context B: a lookup under B, which the KMS refuses.
    reused.set(ctxB.subarray(0, reused.length));
    const [rewritten] = await t.kms.decryptManySettled("k1", reused, [c]);
    expect(rewritten?.ok).toBe(false);
    // Under another key tag with the same array and bytes: not the first scope either.
    reused.set(ctxA);
    const [otherKey] = await t.kms.decryptManySettled("k2", reused, [c]);
    expect(otherKey?.ok).toBe(false);
    expect(t.inner.sent("decrypt")).toBe(3);
  });

  it("never stores a failure: the next decrypt of that ciphertext asks the KMS again", async () => {
    const t = setup();
    const c = await t.foreign("dave");
    t.inner.failing.set(c, "once");
    const [failed] = await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(failed?.ok).toBe(false);
    const [ok] = await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(ok).toEqual({ ok: true, value: bytes("dave") });
    expect(t.inner.sent("decrypt")).toBe(2);
    // A whole call that throws is not stored either.
    const d = await t.foreign("erin");
    t.inner.throwNext(new Error("connection reset"));
    await expect(t.kms.decryptMany("k1", undefined, [d])).rejects.toThrow("connection reset");
    expect(await t.kms.decryptMany("k1", undefined, [d])).toEqual([bytes("erin")]);
    expect(t.cache.stats().entries).toBe(2);
  });

  it("evicts the least recently used entry when over maxEntries", async () => {
    const t = setup({ maxEntries: 2 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((v) => t.foreign(v)));
    await t.kms.decryptMany("k1", undefined, [a!]);
    await t.kms.decryptMany("k1", undefined, [b!]);
    await t.kms.decryptMany("k1", undefined, [a!]); // a is now the most recent
    await t.kms.decryptMany("k1", undefined, [c!]); // evicts b
    const sent = t.inner.sent("decrypt");
    await t.kms.decryptMany("k1", undefined, [a!, c!]);
    expect(t.inner.sent("decrypt")).toBe(sent);
    await t.kms.decryptMany("k1", undefined, [b!]);
    expect(t.inner.sent("decrypt")).toBe(sent + 1);
    expect(t.cache.stats()).toMatchObject({ entries: 2, evictions: 2 });
  });

  it("evicts to stay under maxBytes, counting key, value and overhead", async () => {
    const value = "x".repeat(100);
    const probe = setup();
    const c0 = await probe.foreign(value);
    await probe.kms.decryptMany("k1", undefined, [c0]);
    const perEntry = probe.cache.stats().bytes;
    expect(perEntry).toBeGreaterThan(100 + c0.length + ENTRY_OVERHEAD_BYTES - 1);

    const t = setup({ maxBytes: perEntry * 3 + 10 });
    const cts = await Promise.all(Array.from({ length: 10 }, (_, i) => t.foreign(`${value.slice(1)}${i}`)));
    for (const c of cts) await t.kms.decryptMany("k1", undefined, [c]);
    const stats = t.cache.stats();
    expect(stats.entries).toBe(3);
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
    expect(stats.evictions).toBe(7);
    // The three most recent stayed.
    const sent = t.inner.sent("decrypt");
    await t.kms.decryptMany("k1", undefined, cts.slice(7));
    expect(t.inner.sent("decrypt")).toBe(sent);
  });

  it("reports one event per call with counts only", async () => {
    const t = setup();
    const c = await t.foreign("frank");
    await t.kms.decryptManySettled("k1", undefined, [c, c]);
    await t.kms.decryptManySettled("k1", undefined, [c]);
    expect(t.events).toEqual([
      {
        type: "decrypt",
        keyTag: "k1",
        values: 2,
        hits: 0,
        joined: 1,
        sent: 1,
        evictions: 0,
        bytes: expect.any(Number),
      },
      {
        type: "decrypt",
        keyTag: "k1",
        values: 1,
        hits: 1,
        joined: 0,
        sent: 0,
        evictions: 0,
        bytes: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(t.events)).not.toContain("frank");
  });

  it("cache: maxEntries 0 stores nothing", async () => {
    const t = setup({ maxEntries: 0 });
    const c = await t.foreign("gina");
    await t.kms.decryptMany("k1", undefined, [c]);
    await t.kms.decryptMany("k1", undefined, [c]);
    expect(t.inner.sent("decrypt")).toBe(2);
    expect(t.cache.stats().entries).toBe(0);
  });

  it("rejects a wrong option, naming it and the type given", () => {
    expect(() => createKmsCache({ ttlMs: -1 })).toThrow(KmsCacheOptionError);
    expect(() => createKmsCache({ ttlMs: -1 })).toThrow(
      expect.objectContaining({ code: "ENCRYPTION_CONFIG_INVALID", option: "ttlMs" }),
    );
    expect(() => createKmsCache({ ttlMs: "60s" as unknown as number })).toThrow(/`ttlMs`.*got string/);
    expect(() => createKmsCache({ maxBytes: 1.5 })).toThrow(/`maxBytes`/);
    expect(() => createKmsCache({ ttl: 5 } as never)).toThrow(KmsCacheOptionError);
  });
});
