/** The read mix's sampler: seeded (same seed, same sequence) and Zipf-shaped (s = 1: rank k drawn ∝ 1/k). */
import { describe, expect, it } from "vitest";
import { zipfSampler } from "../../bench/compare/zipf.js";

describe("zipfSampler", () => {
  it("repeats a sequence for a seed and differs across seeds", () => {
    const a = zipfSampler(1000, 1, 7);
    const b = zipfSampler(1000, 1, 7);
    const c = zipfSampler(1000, 1, 8);
    const first = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(first);
    expect(Array.from({ length: 50 }, c)).not.toEqual(first);
  });

  it("draws the hottest row about 1/H(n) of the time, and the top 1 % about half of it", () => {
    const n = 1000;
    const draw = zipfSampler(n, 1, 1);
    const counts = new Map<number, number>();
    const draws = 200_000;
    for (let i = 0; i < draws; i++) {
      const row = draw();
      expect(row).toBeGreaterThanOrEqual(0);
      expect(row).toBeLessThan(n);
      counts.set(row, (counts.get(row) ?? 0) + 1);
    }
    const sorted = [...counts.values()].sort((x, y) => y - x);
    let harmonic = 0;
    for (let k = 1; k <= n; k++) harmonic += 1 / k;
    expect(sorted[0]! / draws).toBeCloseTo(1 / harmonic, 2);
    const top10 = sorted.slice(0, 10).reduce((x, y) => x + y, 0) / draws;
    let expected = 0;
    for (let k = 1; k <= 10; k++) expected += 1 / k / harmonic;
    expect(top10).toBeCloseTo(expected, 1);
  });
});
