/**
 * Keeps a long batch process (migrate) near a memory target. V8 grows its
 * heap to a few times what is alive before it collects (a migration keeps
 * ~25 MB alive and was measured peaking past 200 MB of RSS on 200,000 rows):
 * after each committed page, when the process's RSS is above the target,
 * the guard runs a full collection — at most once per `minIntervalMs`, so a
 * process whose live data really is above the target is not slowed to a
 * crawl. A major GC of such a heap takes a few ms; pages take ~100 ms.
 *
 * The collector is reached through V8's own flag (`--expose-gc`, set at
 * runtime) in a fresh context, so nothing is added to the app's globals.
 */
import process from "node:process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface MemoryGuardOptions {
  /** RSS above which a page commit triggers a full collection. */
  readonly targetBytes: number;
  /** Least time between two collections. Defaults to 1,000 ms. */
  readonly minIntervalMs?: number;
  /** Injected for tests. */
  readonly rss?: () => number;
  readonly collect?: () => void;
  readonly now?: () => number;
}

export interface MemoryGuard {
  /** Call after each unit of work (a committed page). */
  check(): void;
  /** Full collections run so far. */
  readonly collections: number;
}

let exposedGc: (() => void) | undefined;

/** V8's full collection, exposed on first use. */
function fullGc(): void {
  if (exposedGc === undefined) {
    setFlagsFromString("--expose-gc");
    exposedGc = runInNewContext("gc") as () => void;
  }
  exposedGc();
}

export function memoryGuard(options: MemoryGuardOptions): MemoryGuard {
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  const collect = options.collect ?? fullGc;
  const now = options.now ?? (() => performance.now());
  const minIntervalMs = options.minIntervalMs ?? 1000;
  let last = Number.NEGATIVE_INFINITY;
  let collections = 0;
  return {
    check() {
      if (rss() <= options.targetBytes) return;
      const at = now();
      if (at - last < minIntervalMs) return;
      last = at;
      collections++;
      collect();
    },
    get collections() {
      return collections;
    },
  };
}
