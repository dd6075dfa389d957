/**
 * Which models can reach an encrypted field through relations (include,
 * select, nested writes, the Fluent API). The extension hooks only those;
 * every other model passes straight through.
 */

/** A model's direct facts for the fixpoint. */
export interface ReachNode {
  readonly hasEncrypted: boolean;
  /** Names of the models its relation fields point to. */
  readonly targets: readonly string[];
}

/**
 * Least fixpoint: a model reaches encryption if it has an encrypted field or
 * any relation target reaches it. Cycles are fine (iterates to stability).
 */
export function modelsReachingEncrypted(nodes: ReadonlyMap<string, ReachNode>): Set<string> {
  const reached = new Set<string>();
  for (const [name, node] of nodes) if (node.hasEncrypted) reached.add(name);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, node] of nodes) {
      if (!reached.has(name) && node.targets.some((t) => reached.has(t))) {
        reached.add(name);
        changed = true;
      }
    }
  }
  return reached;
}
