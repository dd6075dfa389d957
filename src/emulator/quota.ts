import { KmsResponseError } from "./errors.js";

/** One token bucket: `rate` tokens per second, burst of one second's worth (at least one request). */
class Bucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes one token, or returns the ms until one is available. */
  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) * 1000) / this.rate;
  }
}

/**
 * TPS quotas as NCP applies them ([ours] for the exact algorithm): API 1.0
 * shares one bucket for the whole account, API 2.0 has a bucket per key. One
 * request is one transaction whatever its array length. Uses a monotonic
 * clock in ms.
 */
export class Quotas {
  private account: Bucket;
  private readonly perKey = new Map<string, Bucket>();

  constructor(
    private tpsV1: number,
    private tpsV2: number,
    private readonly clock: () => number,
  ) {
    this.account = new Bucket(tpsV1, clock());
  }

  set(opts: { tpsV1?: number; tpsV2?: number }): void {
    if (opts.tpsV1 !== undefined) {
      this.tpsV1 = opts.tpsV1;
      this.account = new Bucket(opts.tpsV1, this.clock());
    }
    if (opts.tpsV2 !== undefined) {
      this.tpsV2 = opts.tpsV2;
      this.perKey.clear();
    }
  }

  /** Throws 429 with `Retry-After` (whole seconds, at least 1) when over quota. */
  take(api: 1 | 2, keyTag: string): void {
    const now = this.clock();
    let bucket = this.account;
    if (api === 2) {
      let keyBucket = this.perKey.get(keyTag);
      if (keyBucket === undefined) {
        keyBucket = new Bucket(this.tpsV2, now);
        this.perKey.set(keyTag, keyBucket);
      }
      bucket = keyBucket;
    }
    const waitMs = bucket.take(now);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new KmsResponseError(429, "TOO_MANY_REQUESTS", "over the TPS quota", {
        "retry-after": String(seconds),
      });
    }
  }
}
