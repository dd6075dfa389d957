/**
 * Merges calls that arrive within a short window for the same group (same
 * action, key tag and context) into one batch, DataLoader-style: the batch
 * function gets every item in arrival order and returns one outcome per item;
 * each caller gets exactly its own slice back.
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

interface Waiter<O> {
  count: number;
  resolve: (results: Array<Settled<O>>) => void;
  reject: (error: unknown) => void;
}

interface PendingBatch<G, I, O> {
  group: G;
  items: I[];
  waiters: Array<Waiter<O>>;
}

export interface CoalescerOptions<G, I, O> {
  windowMs: number;
  scheduler: Scheduler;
  /** Processes one merged batch; must return exactly one outcome per item, in order. */
  run: (group: G, items: readonly I[]) => Promise<Array<Settled<O>>>;
}

export class Coalescer<G, I, O> {
  readonly #pending = new Map<string, PendingBatch<G, I, O>>();
  readonly #options: CoalescerOptions<G, I, O>;

  constructor(options: CoalescerOptions<G, I, O>) {
    this.#options = options;
  }

  /** Queues `items` under `key`; resolves with their outcomes, in order. */
  submit(key: string, group: G, items: readonly I[]): Promise<Array<Settled<O>>> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      let batch = this.#pending.get(key);
      if (batch === undefined) {
        batch = { group, items: [], waiters: [] };
        this.#pending.set(key, batch);
        this.#options.scheduler.defer(() => this.#flush(key), this.#options.windowMs);
      }
      batch.items.push(...items);
      batch.waiters.push({ count: items.length, resolve, reject });
    });
  }

  #flush(key: string): void {
    const batch = this.#pending.get(key);
    if (batch === undefined) return;
    this.#pending.delete(key);
    this.#options.run(batch.group, batch.items).then(
      (results) => {
        if (results.length !== batch.items.length) {
          const error = new Error(`batch returned ${results.length} results for ${batch.items.length} items`);
          for (const w of batch.waiters) w.reject(error);
          return;
        }
        let offset = 0;
        for (const w of batch.waiters) {
          w.resolve(results.slice(offset, offset + w.count));
          offset += w.count;
        }
      },
      (error: unknown) => {
        for (const w of batch.waiters) w.reject(error);
      },
    );
  }
}
