/**
 * Seeded Zipf sampling for the read mix: rank k (1-based) of n is drawn with
 * probability ∝ 1/k^s. A fixed permutation maps ranks to row indexes, so the
 * hot rows are spread over the table rather than being the lowest ids.
 */

/** mulberry32: a small, fast, seeded PRNG (same seed, same sequence). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sampler of row indexes in [0, n), Zipf-distributed with exponent `s`. */
export function zipfSampler(n: number, s: number, seed: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / k ** s;
    cdf[k - 1] = sum;
  }
  // Rank → row: a permutation fixed by n alone, the same for every seed.
  const rows = Array.from({ length: n }, (_, i) => i);
  const shuffle = seededRandom(n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const random = seededRandom(seed);
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return rows[lo]!;
  };
}
