/**
 * The args phase of a query: given the model, the operation and its args,
 * returns a rewritten copy whose encrypted values are slots waiting for
 * ciphertext, or throws a typed error for what ciphertext cannot answer.
 * Pure: the caller's args are never modified.
 */
import type { CompiledMap, CompiledModel } from "../compiled-map.js";
import { ArgsWalk } from "./context.js";
import { walkData, walkManyData } from "./data.js";
import { checkFieldList, checkHaving, checkMinMax, checkOrderBy } from "./guards.js";
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
  const data = createManyOperations.has(operation) ? walkManyData : walkData;
  const rewritten = mapKeys(args, {
    ...findArgHandlers(walk, model),
    data: (v) => data(walk, model, v),
    create: (v) => walkData(walk, model, v),
    update: (v) => walkData(walk, model, v),
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

/** Handlers for the arguments a find (or a relation in select/include) takes. */
function findArgHandlers(walk: ArgsWalk, model: CompiledModel): Record<string, (v: unknown) => unknown> {
  return {
    where: (v) => walkWhere(walk, model, v),
    cursor: (v) => walkWhere(walk, model, v),
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
    return target.reachesEncrypted ? mapKeys(value, findArgHandlers(walk, target)) : value;
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
            return mapKeys(v, { where: (w) => walkWhere(walk, target, w) });
          })
        : counted,
  });
}
