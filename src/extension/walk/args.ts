/**
 * The args phase of a query: given the model, the operation and its args,
 * returns a rewritten copy whose encrypted values are slots waiting for
 * ciphertext, or throws a typed error for what ciphertext cannot answer.
 * Pure: the caller's args are never modified.
 */
import type { CompiledArguments, CompiledMap, CompiledModel } from "../compiled-map.js";
import { ArgsWalk } from "./context.js";
import { walkData, walkManyData } from "./data.js";
import { checkFieldList, checkHaving, checkMinMax, checkOrderBy } from "./guards.js";
import { walkInput } from "./input.js";
import { isPlainObject, mapKeys, mapObject } from "./tree.js";
import type { EncryptSlot } from "./values.js";
import { walkWhere } from "./where.js";

export interface ArgsPlan {
  /** The rewritten args (the input itself when nothing changed). */
  readonly args: unknown;
  /** Plaintexts to encrypt, each filling one place in `args`. */
  readonly slots: readonly EncryptSlot[];
}

const createManyOperations = new Set(["createMany", "createManyAndReturn"]);

/** Plans the args of one top-level operation on `modelName`. */
export function planArgs(map: CompiledMap, modelName: string, operation: string, args: unknown): ArgsPlan {
  const model = map.model(modelName);
  const walk = new ArgsWalk(map, operation);
  const typed = map.operationArgs(modelName, operation);
  const data = createManyOperations.has(operation) ? walkManyData : walkData;
  const rewritten = mapKeys(args, {
    ...findArgHandlers(walk, model, typed),
    ...(typed === undefined
      ? {
          data: (v: unknown) => data(walk, model, v),
          create: (v: unknown) => walkData(walk, model, v),
          update: (v: unknown) => walkData(walk, model, v),
        }
      : {
          data: typedArgument(walk, typed, "data"),
          create: typedArgument(walk, typed, "create"),
          update: typedArgument(walk, typed, "update"),
        }),
    by: (v) => {
      checkFieldList(model, v, "groupBy by", "cannot group by ciphertext (random per row)");
      return v;
    },
    having: (v) => {
      checkHaving(model, v);
      return v;
    },
    _min: (v) => {
      checkMinMax(model, v, "_min");
      return v;
    },
    _max: (v) => {
      checkMinMax(model, v, "_max");
      return v;
    },
  });
  return { args: rewritten, slots: walk.slots };
}

/** An argument walked by the input types Prisma accepts for it (none reaching: left as is). */
function typedArgument(walk: ArgsWalk, typed: CompiledArguments, name: string): (v: unknown) => unknown {
  const types = typed.get(name) ?? [];
  return (v) => walkInput(walk, types, v, name);
}

/**
 * Handlers for the arguments a find (or a relation in select/include) takes;
 * `typed`: the input types of its arguments, when the map has Prisma's input
 * types (else the positional walk of maps without them).
 */
function findArgHandlers(
  walk: ArgsWalk,
  model: CompiledModel,
  typed: CompiledArguments | undefined,
): Record<string, (v: unknown) => unknown> {
  return {
    where: typed === undefined ? (v) => walkWhere(walk, model, v) : typedArgument(walk, typed, "where"),
    cursor: typed === undefined ? (v) => walkWhere(walk, model, v) : typedArgument(walk, typed, "cursor"),
    orderBy: (v) => {
      checkOrderBy(walk.map, model, v);
      return v;
    },
    distinct: (v) => {
      checkFieldList(model, v, "distinct", "cannot compare ciphertexts (random per row)");
      return v;
    },
    select: (v) => walkSelection(walk, model, v),
    include: (v) => walkSelection(walk, model, v),
  };
}

/** `select` / `include`: relation entries carry their own where/orderBy/cursor/...; `_count` may filter. */
function walkSelection(walk: ArgsWalk, model: CompiledModel, selection: unknown): unknown {
  if (!isPlainObject(selection) || !model.reachesEncrypted) return selection;
  return mapObject(selection, (key, value) => {
    if (key === "_count") return walkCountSelection(walk, model, value);
    const relation = model.relations.get(key);
    if (relation === undefined || !isPlainObject(value)) return value;
    const target = walk.map.model(relation.model);
    const typed = walk.map.relationArgs(model.name, key);
    return target.reachesEncrypted ? mapKeys(value, findArgHandlers(walk, target, typed)) : value;
  });
}

/** `_count: { select: { posts: { where } } }`. */
function walkCountSelection(walk: ArgsWalk, model: CompiledModel, value: unknown): unknown {
  return mapKeys(value, {
    select: (counted) =>
      isPlainObject(counted)
        ? mapObject(counted, (name, v) => {
            const relation = model.relations.get(name);
            if (relation === undefined) return v;
            const target = walk.map.model(relation.model);
            // The count's `where` takes the relation's own where type.
            const typed = walk.map.relationArgs(model.name, name);
            return mapKeys(v, {
              where:
                typed === undefined ? (w) => walkWhere(walk, target, w) : typedArgument(walk, typed, "where"),
            });
          })
        : counted,
  });
}
