import { describe, expect, it } from "vitest";
import { memoryGuard } from "../../src/cli/memory-guard.js";

describe("memoryGuard", () => {
  it("collects when RSS is above the target, at most once per interval", () => {
    let rss = 100;
    let clock = 0;
    let collected = 0;
    const guard = memoryGuard({
      targetBytes: 150,
      minIntervalMs: 1000,
      rss: () => rss,
      now: () => clock,
      collect: () => {
        collected++;
      },
    });
    guard.check();
    expect(collected).toBe(0); // below the target
    rss = 200;
    guard.check();
    expect(collected).toBe(1);
    clock = 999;
    guard.check();
    expect(collected).toBe(1); // within the interval
    clock = 1000;
    guard.check();
    expect(collected).toBe(2);
    rss = 150;
    clock = 5000;
    guard.check();
    expect(collected).toBe(2); // at the target is not above it
    expect(guard.collections).toBe(2);
  });

  it("the real collector frees garbage: the heap after a check is below what it was", () => {
    const garbage: unknown[] = [];
    for (let i = 0; i < 200_000; i++) garbage.push({ i, s: `value-${i}` });
    garbage.length = 0;
    const before = process.memoryUsage().heapUsed;
    const guard = memoryGuard({ targetBytes: 0 });
    guard.check();
    expect(guard.collections).toBe(1);
    expect(process.memoryUsage().heapUsed).toBeLessThan(before);
  });
});
