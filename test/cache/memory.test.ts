/**
 * The byte cap holds on the heap, not only in the cache's own accounting:
 * 100,000 distinct values go through a capped cache and the heap it keeps
 * (measured after a full GC) stays under the cap; without eviction, the
 * accounted bytes per entry are at least what an entry really costs.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createKmsCache } from "../../src/field-crypto/cache/index.js";
import type { KmsCrypto } from "../../src/kms/types.js";
import { fakeKms } from "./fake-kms.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** An envelope of realistic size: 10-byte header + an e-mail address. */
const envelope = (i: number) => new Uint8Array(Buffer.from(`\u0001S01234567user${i}.someone@example.com`));

async function fill(kms: KmsCrypto, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - from) }, (_, i) => envelope(from + i));
    await kms.encryptMany("k", undefined, batch); // every result teaches the decrypt cache
  }
}

describe("cache memory", () => {
  it("holds no more heap than maxBytes with 100,000 distinct values", async () => {
    const maxBytes = 4 * 1024 * 1024;
    const cache = createKmsCache({ maxBytes, maxEntries: 1_000_000 });
    const kms = cache.wrap(fakeKms());
    const before = heapUsed();
    await fill(kms, 100_000);
    const held = heapUsed() - before;
    const stats = cache.stats();
    expect(stats.evictions).toBeGreaterThan(50_000);
    expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
    expect(held).toBeLessThanOrEqual(maxBytes);
    process.stderr.write(
      `[cache memory] cap ${maxBytes} B: ${stats.entries} entries, accounted ${stats.bytes} B, heap held ${held} B\n`,
    );
  }, 60_000);

  it("accounts at least what an entry really costs", async () => {
    const cache = createKmsCache({ maxBytes: 1024 * 1024 * 1024, maxEntries: 1_000_000 });
    const kms = cache.wrap(fakeKms());
    const before = heapUsed();
    await fill(kms, 100_000);
    const held = heapUsed() - before;
    const stats = cache.stats();
    expect(stats.entries).toBe(100_000);
    process.stderr.write(
      `[cache memory] uncapped: ${stats.entries} entries, accounted ${Math.round(stats.bytes / stats.entries)} B/entry, heap ${Math.round(held / stats.entries)} B/entry\n`,
    );
    expect(held).toBeLessThanOrEqual(stats.bytes);
  }, 60_000);
});
