/**
 * The positional walk of write `data`, for maps without Prisma's input types
 * (hand-built, older generators); `writeValue` is shared with the walk by
 * input types (`input.ts`). Every encrypted field's value becomes a slot for its
 * ciphertext, at any depth of nested writes through relations (create,
 * createMany, connectOrCreate, connect, set, update, updateMany, upsert,
 * delete, deleteMany, disconnect), including `{ set: value }` forms.
 */
import type { CompiledModel, FieldCrypto } from "../compiled-map.js";
import { AmbiguousInputError, InvalidFieldValueError } from "../errors.js";
import type { ArgsWalk } from "./context.js";
import { fitsModelData, fitsToOneUpdateWrapper } from "./shapes.js";
import { isPlainObject, mapKeys, mapObject, mapOneOrMany } from "./tree.js";
import { isNullish } from "./values.js";
import { walkWhere } from "./where.js";

/** Rewrites one `data` object (create or update input) of `model`. */
export function walkData(walk: ArgsWalk, model: CompiledModel, data: unknown): unknown {
  if (!isPlainObject(data) || !model.reachesEncrypted) return data;
  return mapObject(data, (key, value) => {
    const field = model.encrypted.get(key);
    if (field !== undefined) return writeValue(walk, field, value);
    const relation = model.relations.get(key);
    if (relation === undefined) return value;
    const target = walk.map.model(relation.model);
    return target.reachesEncrypted ? walkNestedWrites(walk, target, relation.isList, value) : value;
  });
}

/** `data` of createMany: one object or an array of them. */
export function walkManyData(walk: ArgsWalk, model: CompiledModel, data: unknown): unknown {
  return mapOneOrMany(data, (d) => walkData(walk, model, d));
}

/** An encrypted column's value in create/update data: a value or `{ set: value }` becomes a slot. */
export function writeValue(walk: ArgsWalk, field: FieldCrypto, value: unknown): unknown {
  if (isNullish(value)) return value;
  // String and Bytes update inputs accept `{ set: value }`; a Json value may itself be an object.
  if (field.type !== "Json" && isPlainObject(value)) {
    return mapObject(value, (op, v) => {
      if (op !== "set")
        throw new InvalidFieldValueError(field.model, field.name, "a value or { set: value }");
      return isNullish(v) ? v : walk.encrypt(field, v);
    });
  }
  return walk.encrypt(field, value);
}

/** The nested-write object of a relation field in `data`. */
function walkNestedWrites(walk: ArgsWalk, target: CompiledModel, isList: boolean, ops: unknown): unknown {
  const where = (w: unknown) => walkWhere(walk, target, w);
  const data = (d: unknown) => walkData(walk, target, d);
  const each = (fn: (v: unknown) => unknown) => (v: unknown) => mapOneOrMany(v, fn);
  const whereAndData = (v: unknown) => mapKeys(v, { where, data });
  return mapKeys(ops, {
    create: each(data),
    createMany: (v) => mapKeys(v, { data: each(data) }),
    connectOrCreate: each((v) => mapKeys(v, { where, create: data })),
    connect: each(where),
    set: each(where),
    // disconnect/delete: `true` on to-one relations, a where (or several) otherwise.
    disconnect: each(where),
    delete: each(where),
    deleteMany: each(where),
    updateMany: each(whereAndData),
    update: isList ? each(whereAndData) : (v) => walkToOneUpdate(walk, target, v),
    upsert: isList
      ? each((v) => mapKeys(v, { where, create: data, update: data }))
      : (v) => mapKeys(v, { where, create: data, update: data }),
  });
}

/**
 * To-one `update` is `{ where?, data }` or the update data itself. Decided
 * by the keys and value shapes each allows (the model may have fields named
 * `data` and `where`); if both fit, or neither, both readings are walked and
 * the query is refused when they would encrypt differently.
 */
function walkToOneUpdate(walk: ArgsWalk, target: CompiledModel, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const wrapped = (w: ArgsWalk) =>
    mapKeys(value, { where: (x) => walkWhere(w, target, x), data: (d) => walkData(w, target, d) });
  const bare = (w: ArgsWalk) => walkData(w, target, value);
  const fitsWrapped = fitsToOneUpdateWrapper(target, value);
  if (fitsWrapped !== fitsModelData(target, value)) return fitsWrapped ? wrapped(walk) : bare(walk);
  return walk.eitherShape(value, wrapped, bare, () => {
    throw new AmbiguousInputError(
      target.name,
      "update",
      "write { where: {...}, data: {...} } with both keys, or bare data with a key that is not data/where",
    );
  });
}
