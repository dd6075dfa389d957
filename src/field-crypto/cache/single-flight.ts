/**
 * Identical values in flight are sent once: the call that sends a batch
 * registers each value's cache key with one shared pending outcome list;
 * later callers await that list and take their item. Failures are shared
 * with the callers already waiting and then forgotten. One promise per
 * batch, not per value: a 10,000-value write must not cost 10,000 promises.
 */
import type { Settled } from "../../kms/types.js";

type Outcome = Settled<string>;

/** A value in flight: the outcomes of the batch it went in, and its place there. */
export interface InFlightValue {
  readonly outcomes: Promise<readonly Outcome[]>;
  readonly index: number;
}

export interface PendingBatch {
  /** Resolves every waiter (and forgets the keys); call exactly once, with one outcome per key. */
  settle(outcomes: readonly Outcome[]): void;
}

export class InFlight {
  private readonly pending = new Map<string, InFlightValue>();

  get(key: string): InFlightValue | undefined {
    return this.pending.get(key);
  }

  /** Registers `keys` as in flight in one batch. */
  start(keys: readonly string[]): PendingBatch {
    let resolve!: (outcomes: readonly Outcome[]) => void;
    const outcomes = new Promise<readonly Outcome[]>((r) => {
      resolve = r;
    });
    const registered = keys.map((key, index) => {
      const value: InFlightValue = { outcomes, index };
      this.pending.set(key, value);
      return value;
    });
    return {
      settle: (results) => {
        keys.forEach((key, i) => {
          if (this.pending.get(key) === registered[i]) this.pending.delete(key);
        });
        resolve(results);
      },
    };
  }
}
