/**
 * The args phase of a query: given the model, the operation and its args,
 * returns a rewritten copy whose encrypted values are slots waiting for
 * ciphertext, or throws a typed error for what ciphertext cannot answer.
 * Pure: the caller's args are never modified.
 *
 * What each argument of an operation does is decided once per (model,
 * operation) and kept with the compiled map (an {@link ArgTable}); a call only
 * walks the keys its args hold through that table.
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

/** What one argument does: returns its rewritten value (or the value itself), recording slots on `walk`. */
type ArgHandler = (walk: ArgsWalk, value: unknown) => unknown;

/** Argument name → its handler; arguments not named are kept as they are. */
type ArgTable = ReadonlyMap<string, ArgHandler>;

const createManyOperations = new Set(["createMany", "createManyAndReturn"]);

/** Tables per compiled map: built on first use, never changed after. */
const tablesByMap = new WeakMap<CompiledMap, Map<string, ArgTable>>();

/** The table `id` of `map`, built by `build` the first time it is asked for. */
function cachedTable(map: CompiledMap, id: string, build: () => ArgTable): ArgTable {
  let tables = tablesByMap.get(map);
  if (tables === undefined) {
    tables = new Map();
    tablesByMap.set(map, tables);
  }
  let table = tables.get(id);
  if (table === undefined) {
    table = build();
    tables.set(id, table);
  }
  return table;
}

/** Plans the args of one top-level operation on `modelName`. */
export function planArgs(map: CompiledMap, modelName: string, operation: string, args: unknown): ArgsPlan {
  const walk = new ArgsWalk(map, operation);
  const rewritten = walkArgs(walk, operationTable(map, modelName, operation), args);
  return { args: rewritten, slots: walk.slots };
}

/** Walks the keys of `args` that `table` names. */
function walkArgs(walk: ArgsWalk, table: ArgTable, args: unknown): unknown {
  if (!isPlainObject(args)) return args;
  return mapObject(args, (key, value) => {
    const handler = table.get(key);
    return handler === undefined || value === undefined ? value : handler(walk, value);
  });
}

/** The table of a top-level operation. */
function operationTable(map: CompiledMap, modelName: string, operation: string): ArgTable {
  return cachedTable(map, `${modelName}\u0000${operation}`, () =>
    buildOperationTable(map, map.model(modelName), operation),
  );
}

function buildOperationTable(map: CompiledMap, model: CompiledModel, operation: string): ArgTable {
  const typed = map.operationArgs(model.name, operation);
  const table = new Map(findArgHandlers(map, model, typed));
  if (typed === undefined) {
    const data = createManyOperations.has(operation) ? walkManyData : walkData;
    table.set("data", (walk, v) => data(walk, model, v));
    table.set("create", (walk, v) => walkData(walk, model, v));
    table.set("update", (walk, v) => walkData(walk, model, v));
  } else {
    for (const name of ["data", "create", "update"]) table.set(name, typedArgument(typed, name));
  }
  table.set(
    "by",
    guard((v) => checkFieldList(model, v, "groupBy by", "cannot group by ciphertext (random per row)")),
  );
  table.set(
    "having",
    guard((v) => checkHaving(model, v)),
  );
  table.set(
    "_min",
    guard((v) => checkMinMax(model, v, "_min")),
  );
  table.set(
    "_max",
    guard((v) => checkMinMax(model, v, "_max")),
  );
  return table;
}

/** A handler that only checks its value (throws to refuse it) and keeps it. */
function guard(check: (value: unknown) => void): ArgHandler {
  return (_walk, value) => {
    check(value);
    return value;
  };
}

/** An argument walked by the input types Prisma accepts for it (none reaching: left as is). */
function typedArgument(typed: CompiledArguments, name: string): ArgHandler {
  const types = typed.get(name) ?? [];
  if (types.length === 0) return (_walk, v) => v;
  return (walk, v) => walkInput(walk, types, v, name);
}

/**
 * Handlers for the arguments a find (or a relation in select/include) takes;
 * `typed`: the input types of its arguments, when the map has Prisma's input
 * types (else the positional walk of maps without them).
 */
function findArgHandlers(
  map: CompiledMap,
  model: CompiledModel,
  typed: CompiledArguments | undefined,
): Array<[string, ArgHandler]> {
  const positionalWhere: ArgHandler = (walk, v) => walkWhere(walk, model, v);
  return [
    ["where", typed === undefined ? positionalWhere : typedArgument(typed, "where")],
    ["cursor", typed === undefined ? positionalWhere : typedArgument(typed, "cursor")],
    ["orderBy", guard((v) => checkOrderBy(map, model, v))],
    [
      "distinct",
      guard((v) => checkFieldList(model, v, "distinct", "cannot compare ciphertexts (random per row)")),
    ],
    ["select", (walk, v) => walkSelection(walk, model, v)],
    ["include", (walk, v) => walkSelection(walk, model, v)],
  ];
}

/** The table of a relation's entry in `select`/`include` (its own where/orderBy/cursor/...). */
function relationTable(
  map: CompiledMap,
  model: CompiledModel,
  relation: string,
  target: CompiledModel,
): ArgTable {
  return cachedTable(
    map,
    `${model.name}\u0000:${relation}`,
    () => new Map(findArgHandlers(map, target, map.relationArgs(model.name, relation))),
  );
}

/** `select` / `include`: relation entries carry their own where/orderBy/cursor/...; `_count` may filter. */
function walkSelection(walk: ArgsWalk, model: CompiledModel, selection: unknown): unknown {
  if (!isPlainObject(selection) || !model.reachesEncrypted) return selection;
  return mapObject(selection, (key, value) => {
    if (key === "_count") return walkCountSelection(walk, model, value);
    const relation = model.relations.get(key);
    if (relation === undefined || !isPlainObject(value)) return value;
    const target = walk.map.model(relation.model);
    return target.reachesEncrypted
      ? walkArgs(walk, relationTable(walk.map, model, key, target), value)
      : value;
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
            // The count's `where` takes the relation's own where type.
            const table = relationTable(walk.map, model, name, walk.map.model(relation.model));
            const where = table.get("where") as ArgHandler;
            return mapKeys(v, { where: (w) => where(walk, w) });
          })
        : counted,
  });
}
