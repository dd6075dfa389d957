/**
 * Merges calls that arrive within a short window for the same group (same
 * action, key tag and context) into one batch, DataLoader-style: the batch
 * function gets every item in arrival order and returns one outcome per item;
 * each caller gets exactly its own slice back. A batch holds at most
 * `maxBatchSize` items: a full batch is flushed at once, and a submission
 * larger than the room left spans several batches.
 */
import type { Settled } from "./types.js";

/** When to flush and how to wait; injectable so tests control batching exactly. */
export interface Scheduler {
  /** Runs `fn` after the window: `windowMs` 0 means the next macrotask (`setImmediate`). */
  defer(fn: () => void, windowMs: number): void;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}

export const defaultScheduler: Scheduler = {
  defer(fn, windowMs) {
    if (windowMs <= 0) setImmediate(fn);
    else setTimeout(fn, windowMs);
  },
  sleep(ms) {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
  },
};

/** One caller's submission; its items may be spread over several batches. */
interface Waiter<O> {
  results: Array<Settled<O>>;
  remaining: number;
  done: boolean;
  resolve: (results: Array<Settled<O>>) => void;
  reject: (error: unknown) => void;
}

/** The part of a waiter's items that sits in one batch. */
interface Segment<O> {
  waiter: Waiter<O>;
  /** Index of the segment's first item within the waiter's submission. */
  offset: number;
  count: number;
}

interface PendingBatch<G, I, O> {
  group: G;
  items: I[];
  segments: Array<Segment<O>>;
}

export interface CoalescerOptions<G, I, O> {
  windowMs: number;
  scheduler: Scheduler;
  /** Most items in one batch. Defaults to unbounded. */
  maxBatchSize?: number;
  /** Processes one merged batch; must return exactly one outcome per item, in order. */
  run: (group: G, items: readonly I[]) => Promise<Array<Settled<O>>>;
}

export class Coalescer<G, I, O> {
  readonly #pending = new Map<string, PendingBatch<G, I, O>>();
  readonly #options: CoalescerOptions<G, I, O>;
  readonly #max: number;

  constructor(options: CoalescerOptions<G, I, O>) {
    this.#options = options;
    this.#max = options.maxBatchSize ?? Number.POSITIVE_INFINITY;
    if (!(this.#max >= 1))
      throw new RangeError(`Expected \`maxBatchSize\` to be 1 or more, got ${this.#max}`);
  }

  /** Queues `items` under `key`; resolves with their outcomes, in order. */
  submit(key: string, group: G, items: readonly I[]): Promise<Array<Settled<O>>> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<O> = {
        results: new Array<Settled<O>>(items.length),
        remaining: items.length,
        done: false,
        resolve,
        reject,
      };
      let offset = 0;
      while (offset < items.length) {
        const batch = this.#open(key, group);
        const take = Math.min(this.#max - batch.items.length, items.length - offset);
        for (let i = 0; i < take; i++) batch.items.push(items[offset + i]!);
        batch.segments.push({ waiter, offset, count: take });
        offset += take;
        if (batch.items.length >= this.#max) {
          this.#pending.delete(key);
          this.#run(batch);
        }
      }
    });
  }

  /** The batch collecting for `key`, opened (and its flush scheduled) if there is none. */
  #open(key: string, group: G): PendingBatch<G, I, O> {
    const existing = this.#pending.get(key);
    if (existing !== undefined) return existing;
    const batch: PendingBatch<G, I, O> = { group, items: [], segments: [] };
    this.#pending.set(key, batch);
    this.#options.scheduler.defer(() => {
      // Flushed already if it filled up; a newer batch under the same key has its own timer.
      if (this.#pending.get(key) !== batch) return;
      this.#pending.delete(key);
      this.#run(batch);
    }, this.#options.windowMs);
    return batch;
  }

  #run(batch: PendingBatch<G, I, O>): void {
    const fail = (error: unknown) => {
      for (const { waiter } of batch.segments) {
        if (waiter.done) continue;
        waiter.done = true;
        waiter.reject(error);
      }
    };
    let running: Promise<Array<Settled<O>>>;
    try {
      running = this.#options.run(batch.group, batch.items);
    } catch (error) {
      fail(error);
      return;
    }
    running.then((results) => {
      if (results.length !== batch.items.length) {
        fail(new Error(`batch returned ${results.length} results for ${batch.items.length} items`));
        return;
      }
      let at = 0;
      for (const { waiter, offset, count } of batch.segments) {
        for (let i = 0; i < count; i++) waiter.results[offset + i] = results[at + i]!;
        at += count;
        waiter.remaining -= count;
        if (waiter.remaining === 0 && !waiter.done) {
          waiter.done = true;
          waiter.resolve(waiter.results);
        }
      }
    }, fail);
  }
}
