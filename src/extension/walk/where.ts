/**
 * `where` filters (the positional walk for maps without Prisma's input types;
 * `walkFieldFilter` is shared with the walk by input types): equality on searchable fields becomes equality on the
 * field's convergent ciphertext; everything ciphertext cannot answer is
 * refused, naming `Model.field` and the operator, before any query runs.
 * Null checks (`field: null`, `{ not: null }`) work on every encrypted field:
 * null is stored as null.
 */
import type { CompiledModel, FieldCrypto } from "../compiled-map.js";
import { AmbiguousInputError, UnsupportedQueryError } from "../errors.js";
import type { ArgsWalk } from "./context.js";
import { fitsModelWhere, fitsToOneFilterWrapper } from "./shapes.js";
import { isPlainObject, mapObject, mapOneOrMany } from "./tree.js";
import { isNullish } from "./values.js";

const refusedOperators: Readonly<Record<string, string>> = {
  contains: "cannot match substrings of ciphertext",
  startsWith: "cannot match prefixes of ciphertext",
  endsWith: "cannot match suffixes of ciphertext",
  lt: "cannot compare ciphertext by order",
  lte: "cannot compare ciphertext by order",
  gt: "cannot compare ciphertext by order",
  gte: "cannot compare ciphertext by order",
  search: "cannot full-text search ciphertext",
  path: "cannot filter inside an encrypted JSON value",
  string_contains: "cannot filter inside an encrypted JSON value",
  string_starts_with: "cannot filter inside an encrypted JSON value",
  string_ends_with: "cannot filter inside an encrypted JSON value",
  array_contains: "cannot filter inside an encrypted JSON value",
  array_starts_with: "cannot filter inside an encrypted JSON value",
  array_ends_with: "cannot filter inside an encrypted JSON value",
};

/** Rewrites a `where` (WhereInput or WhereUniqueInput) on `model`. */
export function walkWhere(walk: ArgsWalk, model: CompiledModel, where: unknown): unknown {
  if (!isPlainObject(where) || !model.reachesEncrypted) return where;
  return mapObject(where, (key, value) => {
    if (value === undefined) return value;
    if (key === "AND" || key === "OR" || key === "NOT") {
      return mapOneOrMany(value, (w) => walkWhere(walk, model, w));
    }
    const field = model.encrypted.get(key);
    if (field !== undefined) return walkFieldFilter(field, value, walk);
    const relation = model.relations.get(key);
    if (relation !== undefined) {
      const target = walk.map.model(relation.model);
      return relation.isList
        ? walkListRelationFilter(walk, target, value)
        : walkToOneRelationFilter(walk, target, value);
    }
    const compound = model.info.compoundSelectors[key];
    if (compound !== undefined && isPlainObject(value)) {
      // `{ authorId_slug: { authorId, slug } }`: each part is an equality.
      return mapObject(value, (part, v) => {
        const partField = model.encrypted.get(part);
        return partField === undefined ? v : walkFieldFilter(partField, v, walk);
      });
    }
    return value;
  });
}

function walkListRelationFilter(walk: ArgsWalk, target: CompiledModel, value: unknown): unknown {
  if (!isPlainObject(value) || !target.reachesEncrypted) return value;
  return mapObject(value, (op, w) =>
    op === "some" || op === "every" || op === "none" ? walkWhere(walk, target, w) : w,
  );
}

/**
 * A to-one relation filter is `{ is?, isNot? }` or a where of the related
 * model. Decided by the keys and value shapes each allows (the model may
 * have fields named `is` and `isNot`); if both fit, or neither, both readings
 * are walked and the query is refused when they would encrypt differently.
 */
function walkToOneRelationFilter(walk: ArgsWalk, target: CompiledModel, value: unknown): unknown {
  if (!isPlainObject(value) || !target.reachesEncrypted) return value;
  const wrapped = (w: ArgsWalk) => mapObject(value, (_op, x) => walkWhere(w, target, x));
  const bare = (w: ArgsWalk) => walkWhere(w, target, value);
  const fitsWrapped = fitsToOneFilterWrapper(target, value);
  if (fitsWrapped !== fitsModelWhere(target, value)) return fitsWrapped ? wrapped(walk) : bare(walk);
  return walk.eitherShape(value, wrapped, bare, () => {
    throw new AmbiguousInputError(
      target.name,
      "relation filter",
      "write { is: {...} } / { isNot: {...} }, or filter the fields named is/isNot with { equals: ... }",
    );
  });
}

/**
 * One encrypted field's filter: a shorthand value, or an object of operators.
 * Exported for `cursor`, compound selectors and `connect`, which use the same rules.
 */
export function walkFieldFilter(field: FieldCrypto, filter: unknown, walk: ArgsWalk): unknown {
  if (isNullish(filter)) return filter;
  if (typeof filter === "string" || filter instanceof Uint8Array)
    return equality(walk, field, "equals", filter);
  if (!isPlainObject(filter) || field.type === "Json") {
    // Json filters are objects too, but only null checks can work on encrypted JSON.
    if (isPlainObject(filter)) return walkJsonFilter(field, filter);
    throw new UnsupportedQueryError(field.model, field.name, "equals", "cannot compare this kind of value");
  }
  return mapObject(filter, (op, value) => {
    if (value === undefined) return value;
    switch (op) {
      case "equals":
        return equality(walk, field, op, value);
      case "in":
      case "notIn":
        return mapOneOrMany(value, (item) => equality(walk, field, op, item));
      case "not":
        return isPlainObject(value) ? walkFieldFilter(field, value, walk) : equality(walk, field, op, value);
      case "mode":
        if (value === "insensitive") {
          throw new UnsupportedQueryError(
            field.model,
            field.name,
            "mode: insensitive",
            "cannot ignore case in ciphertext",
          );
        }
        return value;
      default:
        throw new UnsupportedQueryError(
          field.model,
          field.name,
          op,
          refusedOperators[op] ?? "is not an operator encrypted fields support",
        );
    }
  });
}

function walkJsonFilter(field: FieldCrypto, filter: Record<string, unknown>): unknown {
  for (const [op, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if ((op === "equals" || op === "not") && isNullish(value)) continue;
    throw new UnsupportedQueryError(
      field.model,
      field.name,
      op,
      refusedOperators[op] ?? "is only supported with null on an encrypted JSON field",
    );
  }
  return filter;
}

function equality(walk: ArgsWalk, field: FieldCrypto, op: string, value: unknown): unknown {
  if (isNullish(value)) return value;
  if (!field.searchable) {
    throw new UnsupportedQueryError(
      field.model,
      field.name,
      op,
      "needs a searchable field (mark it /// @encrypted(searchable)); only null checks work on this one",
    );
  }
  if (typeof value !== "string") {
    // A field reference or another object: comparing ciphertexts across columns never matches.
    throw new UnsupportedQueryError(field.model, field.name, op, "only compares with a string value");
  }
  return walk.encrypt(field, value);
}
