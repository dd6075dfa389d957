/**
 * Splits a list of items into array requests that each stay under a byte
 * budget and an item cap, keeping input order (pure).
 */

/** One planned request: the indexes (into the input) of the items it carries, in order. */
export type Chunk = number[];

/** Thrown by {@link planChunks} when one item alone is over `maxBytes`. */
export class OversizedItem {
  constructor(
    readonly index: number,
    readonly sizeBytes: number,
  ) {}
}

/**
 * Greedy, order-preserving packing: items are appended to the current chunk
 * until the next one would cross `maxBytes` or `maxItems`.
 *
 * @returns the chunks, or an {@link OversizedItem} for the first item that can
 * never fit (so callers can reject before sending anything).
 */
export function planChunks(
  sizes: readonly number[],
  maxBytes: number,
  maxItems: number,
): Chunk[] | OversizedItem {
  const chunks: Chunk[] = [];
  let current: Chunk = [];
  let currentBytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    if (size > maxBytes) return new OversizedItem(i, size);
    if (current.length > 0 && (currentBytes + size > maxBytes || current.length >= maxItems)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(i);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
