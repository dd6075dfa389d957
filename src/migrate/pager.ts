/**
 * Walking one table (or one shard of it) page by page, with up to
 * `concurrency` pages in flight. Pages are READ one after another (each
 * starts after the previous page's last key) and PROCESSED concurrently;
 * `onCommitted` receives each page's last key strictly in page order, only
 * once that page and every page before it are done, so a checkpoint never
 * skips over a page still in flight.
 */
import { afterKey, allOf, keyOf, orderById, type Where } from "./keyset.js";
import type { ModelDelegate, Row } from "./prisma-access.js";
import type { RowKey } from "./types.js";

export interface PagerOptions {
  readonly delegate: ModelDelegate;
  readonly idFields: readonly string[];
  readonly select: Record<string, true>;
  /** Extra condition (the shard range). */
  readonly where: Where | null;
  readonly after: RowKey | null;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
  processPage(rows: Row[]): Promise<void>;
  /** Called in page order after a page and all before it completed. */
  onCommitted(lastKey: RowKey, rows: number): Promise<void>;
}

/** Resolves when every page is done (`true`) or the signal stopped the walk early (`false`). */
export async function walkPages(o: PagerOptions): Promise<boolean> {
  let after = o.after;
  let nextSeq = 0;
  let commitSeq = 0;
  const finished = new Map<number, { key: RowKey; rows: number }>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let commitChain: Promise<void> = Promise.resolve();

  const commitReady = () => {
    commitChain = commitChain.then(async () => {
      for (let done = finished.get(commitSeq); done !== undefined; done = finished.get(commitSeq)) {
        finished.delete(commitSeq);
        commitSeq++;
        await o.onCommitted(done.key, done.rows);
      }
    });
    return commitChain;
  };

  let complete = false;
  while (failure === null) {
    if (o.signal?.aborted) break;
    while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
    if (failure !== null || o.signal?.aborted) break;
    const rows = await o.delegate.findMany({
      where: allOf(o.where, afterKey(o.idFields, after)),
      orderBy: orderById(o.idFields),
      take: o.batchSize,
      select: o.select,
    });
    if (rows.length === 0) {
      complete = true;
      break;
    }
    const key = keyOf(o.idFields, rows[rows.length - 1]!);
    after = key;
    const seq = nextSeq++;
    const task: Promise<void> = o
      .processPage(rows)
      .then(() => {
        finished.set(seq, { key, rows: rows.length });
        return commitReady();
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (rows.length < o.batchSize) {
      complete = true;
      break;
    }
  }
  await Promise.all(inFlight);
  await commitChain;
  if (failure !== null) throw (failure as { error: unknown }).error;
  return complete;
}
