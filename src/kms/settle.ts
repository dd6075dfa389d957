/**
 * Isolating bad items in an array request. When a request of several items
 * fails with an error that one item can cause (a tampered ciphertext, a wrong
 * context, an unknown key version: 400 or 404), the items are split in halves
 * and retried recursively, so the good items still succeed and only the bad
 * ones fail. A budget caps the extra requests (a chunk where every item is bad
 * would otherwise cost 2n−1 requests).
 */
import { KmsBadRequestError, KmsNotFoundError } from "./errors.js";
import type { Settled } from "./types.js";

/** Whether `error` could be caused by a single item of an array request. */
export function isPerItemError(error: unknown): boolean {
  return error instanceof KmsBadRequestError || (error instanceof KmsNotFoundError && error.status === 404);
}

/** A shared allowance of extra (splitting) requests. */
export interface SplitBudget {
  remaining: number;
}

/**
 * Sends `items` with `send`; on a per-item error splits recursively (within
 * `budget`). Returns one outcome per item, in order.
 */
export async function sendIsolating<I, O>(
  items: readonly I[],
  send: (items: readonly I[]) => Promise<O[]>,
  budget: SplitBudget,
): Promise<Array<Settled<O>>> {
  try {
    const values = await send(items);
    return values.map((value) => ({ ok: true, value }));
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (items.length <= 1 || !isPerItemError(error) || budget.remaining < 2) {
      return items.map(() => ({ ok: false, error: err }));
    }
    budget.remaining -= 2;
    const mid = Math.ceil(items.length / 2);
    const [left, right] = await Promise.all([
      sendIsolating(items.slice(0, mid), send, budget),
      sendIsolating(items.slice(mid), send, budget),
    ]);
    return [...left, ...right];
  }
}
