/**
 * Splitting a table's key space into n ranges on its first id field, so n
 * processes can migrate one table together. Numeric ids split evenly between
 * min and max; other ids at quantiles (n−1 one-row lookups). The first range
 * is open below and the last open above, so every row belongs to exactly one
 * range whatever is inserted later — as long as every process uses the SAME
 * boundaries, which is why they are agreed through a {@link PlanStore}.
 */
import { MigrateInvalidOptionError } from "./errors.js";
import { idFromJson, idToJson } from "./key-json.js";
import type { KeyRange } from "./keyset.js";
import type { ModelDelegate } from "./prisma-access.js";
import type { IdValue, PlanStore, ShardSpec } from "./types.js";

/** Parses `k/n` (1-based k). */
export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = match ? Number(match[1]) : Number.NaN;
  const n = match ? Number(match[2]) : Number.NaN;
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 1 || k < 1 || k > n) {
    throw new MigrateInvalidOptionError("shard", "expected k/n with 1 ≤ k ≤ n, e.g. 2/3");
  }
  return { index: k - 1, count: n };
}

/** The n−1 boundaries between n ranges (ascending; may repeat on skewed ids). */
export async function computeBoundaries(
  delegate: ModelDelegate,
  firstId: string,
  count: number,
): Promise<IdValue[]> {
  if (count <= 1) return [];
  const agg = await delegate.aggregate({ _min: { [firstId]: true }, _max: { [firstId]: true } });
  const min = agg._min[firstId];
  const max = agg._max[firstId];
  if (min === null || min === undefined || max === null || max === undefined) return [];
  if (typeof min === "number" && typeof max === "number") {
    const span = max - min + 1;
    return Array.from({ length: count - 1 }, (_, i) => min + Math.floor((span * (i + 1)) / count));
  }
  if (typeof min === "bigint" && typeof max === "bigint") {
    const span = max - min + 1n;
    return Array.from({ length: count - 1 }, (_, i) => min + (span * BigInt(i + 1)) / BigInt(count));
  }
  const total = await delegate.count();
  const bounds: IdValue[] = [];
  for (let i = 1; i < count; i++) {
    const [row] = await delegate.findMany({
      orderBy: { [firstId]: "asc" },
      skip: Math.floor((total * i) / count),
      take: 1,
      select: { [firstId]: true },
    });
    if (row !== undefined) bounds.push(row[firstId] as IdValue);
  }
  return bounds;
}

/**
 * The range of shard `index` given the boundaries, or `null` when the shard
 * has nothing to do (the table was empty when the plan was made: shard 1 then
 * takes the whole table, so rows inserted later are still covered once).
 */
export function rangeOf(boundaries: readonly IdValue[], shard: ShardSpec): KeyRange | null {
  if (shard.count === 1) return { from: null, to: null };
  if (boundaries.length < shard.count - 1) return shard.index === 0 ? { from: null, to: null } : null;
  const from = shard.index === 0 ? null : boundaries[shard.index - 1]!;
  const to = shard.index === shard.count - 1 ? null : boundaries[shard.index]!;
  return { from, to };
}

/** Computes (or fetches the agreed) boundaries for a model and shard count. */
export async function agreedBoundaries(
  store: PlanStore,
  key: string,
  compute: () => Promise<IdValue[]>,
): Promise<IdValue[]> {
  const text = await store.getOrSet(key, async () => JSON.stringify((await compute()).map(idToJson)));
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed))
    throw new MigrateInvalidOptionError("shard", `the stored plan '${key}' is malformed`);
  return parsed.map(idFromJson);
}
