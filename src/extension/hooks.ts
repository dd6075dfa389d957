/**
 * The `query` component of the extension: one `$allOperations` hook per
 * model that holds an encrypted field or reaches one through relations.
 * Other models get no hook, so they pay nothing.
 */
import type { KeyChecker } from "../field-crypto/key-check.js";
import type { CompiledMap } from "./compiled-map.js";
import type { ResolvedOptions } from "./config.js";
import { runOperation } from "./pipeline.js";

/** What Prisma passes a query hook (`__internalParams.dataPath` is undocumented; see prisma-extension-notes). */
export interface HookParams {
  model?: string;
  operation: string;
  args: unknown;
  query: (args: unknown) => PromiseLike<unknown>;
  __internalParams?: { dataPath?: readonly string[] };
}

export type QueryHook = (params: HookParams) => PromiseLike<unknown>;

/** Hooks keyed by the client property name (`user` for model `User`), as Prisma looks them up. */
export function queryHooks(
  map: CompiledMap,
  options: ResolvedOptions,
  keyChecker: KeyChecker,
): Record<string, { $allOperations: QueryHook }> {
  const hooks: Record<string, { $allOperations: QueryHook }> = {};
  for (const model of map.models.values()) {
    if (!model.reachesEncrypted) continue;
    hooks[jsModelName(model.name)] = {
      $allOperations: ({ operation, args, query, __internalParams }) =>
        runOperation(map, options, keyChecker, {
          model,
          operation,
          args,
          dataPath: __internalParams?.dataPath ?? [],
          query,
        }),
    };
  }
  return hooks;
}

function jsModelName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}
