/**
 * Identical values in flight are sent once: the first caller registers a
 * pending outcome under the value's cache key, later callers await it.
 * Failures are shared with the callers already waiting and then forgotten.
 */
import type { Settled } from "../../kms/types.js";

export interface Pending {
  readonly promise: Promise<Settled<string>>;
  settle(outcome: Settled<string>): void;
}

export class InFlight {
  private readonly pending = new Map<string, Pending>();

  get(key: string): Promise<Settled<string>> | undefined {
    return this.pending.get(key)?.promise;
  }

  /** Registers `key` as in flight; the caller must `settle` it exactly once. */
  start(key: string): Pending {
    let resolve!: (outcome: Settled<string>) => void;
    const promise = new Promise<Settled<string>>((r) => {
      resolve = r;
    });
    const entry: Pending = {
      promise,
      settle: (outcome) => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
        resolve(outcome);
      },
    };
    this.pending.set(key, entry);
    return entry;
  }
}
