/**
 * Grouping by (key tag, context): values in one group share one batched KMS
 * call (the client chunks, coalesces and rate-limits it).
 */

/** The identity of a (key tag, context) group. */
export function groupId(keyTag: string, context: Uint8Array | undefined): string {
  return context === undefined ? keyTag : `${keyTag}|${Buffer.from(context).toString("hex")}`;
}

/** Items grouped by their group id (see {@link groupId}), groups and items in first-seen order. */
export function groupBy<T>(items: readonly T[], idOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = idOf(item);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [item]);
    else group.push(item);
  }
  return groups;
}
