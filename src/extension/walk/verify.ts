/**
 * A second, independent look at the rewritten args, driven by Prisma's own
 * input types (the map's `inputTypes`, from the generator's DMMF): every
 * position that a Prisma input type marks as an encrypted column must hold a
 * slot (or null, or operators over slots). Where Prisma accepts several
 * input types, every one of them is checked, not only those the walk found
 * the value to fit, so a mistake in telling shapes apart (or a walk gap, or
 * the positional walk of maps without `operations`) cannot let a plain value
 * through: the query fails before anything is sent.
 */
import type { InputTypeInfo } from "../../schema/input-types.js";
import type { CompiledMap } from "../compiled-map.js";
import { UnencryptedValueError } from "../errors.js";
import { isPlainObject, Slot } from "./tree.js";
import { isNullish } from "./values.js";

type InputTypes = Readonly<Record<string, InputTypeInfo>>;

/** Handlers whose encrypted positions carry values (orderBy/aggregate/having only name fields, and are refused). */
const VALUE_HANDLERS = new Set(["where", "data", "nested"]);

/** The input types Prisma accepts for each argument of a top-level operation on `model`. */
function rootTypes(model: string, operation: string): Record<string, readonly string[]> {
  const where = [`${model}WhereInput`];
  const unique = [`${model}WhereUniqueInput`];
  const create = [`${model}CreateInput`, `${model}UncheckedCreateInput`];
  const update = [`${model}UpdateInput`, `${model}UncheckedUpdateInput`];
  const updateMany = [`${model}UpdateManyMutationInput`, `${model}UncheckedUpdateManyInput`];
  switch (operation) {
    case "findUnique":
    case "findUniqueOrThrow":
    case "delete":
      return { where: unique };
    case "create":
      return { data: create };
    case "createMany":
    case "createManyAndReturn":
      return { data: [`${model}CreateManyInput`] };
    case "update":
      return { where: unique, data: update };
    case "updateMany":
    case "updateManyAndReturn":
      return { where, data: updateMany };
    case "upsert":
      return { where: unique, create, update };
    default:
      return { where, cursor: unique };
  }
}

/** A value an encrypted position may hold after the walk: a slot, a null, or operators over those. */
function isSealed(value: unknown): boolean {
  if (value instanceof Slot || isNullish(value)) return true;
  if (Array.isArray(value)) return value.every(isSealed);
  if (isPlainObject(value)) {
    return Object.entries(value).every(([op, v]) => (op === "mode" && typeof v === "string") || isSealed(v));
  }
  return false;
}

function verifyValue(inputTypes: InputTypes, value: unknown, types: readonly string[], path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      verifyValue(inputTypes, item, types, `${path}[${i}]`);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  for (const typeName of types) {
    const info = inputTypes[typeName];
    if (info === undefined || !VALUE_HANDLERS.has(info.handler)) continue;
    for (const [key, v] of Object.entries(value)) {
      const lead = info.fields[key];
      if (lead === undefined || v === undefined) continue;
      if (lead === "encrypted") {
        if (!isSealed(v)) throw new UnencryptedValueError(info.model, key, `${path}.${key}`);
      } else verifyValue(inputTypes, v, lead, `${path}.${key}`);
    }
  }
}

/** `select` / `include` of `model`: relation entries carry a where and a cursor of their own. */
function verifySelection(
  map: CompiledMap,
  inputTypes: InputTypes,
  model: string,
  selection: unknown,
  path: string,
): void {
  if (!isPlainObject(selection)) return;
  const compiled = map.models.get(model);
  if (compiled === undefined) return;
  for (const [key, value] of Object.entries(selection)) {
    if (!isPlainObject(value)) continue;
    if (key === "_count") {
      const counted = value.select;
      if (!isPlainObject(counted)) continue;
      for (const [name, v] of Object.entries(counted)) {
        const relation = compiled.relations.get(name);
        if (relation !== undefined && isPlainObject(v)) {
          verifyValue(
            inputTypes,
            v.where,
            [`${relation.model}WhereInput`],
            `${path}._count.select.${name}.where`,
          );
        }
      }
      continue;
    }
    const relation = compiled.relations.get(key);
    if (relation === undefined) continue;
    verifyValue(inputTypes, value.where, [`${relation.model}WhereInput`], `${path}.${key}.where`);
    verifyValue(inputTypes, value.cursor, [`${relation.model}WhereUniqueInput`], `${path}.${key}.cursor`);
    verifySelection(map, inputTypes, relation.model, value.select, `${path}.${key}.select`);
    verifySelection(map, inputTypes, relation.model, value.include, `${path}.${key}.include`);
  }
}

/**
 * Checks the rewritten args of one operation on `model`; a no-op for maps
 * without `inputTypes` (hand-built, or from an older generator).
 *
 * @throws {UnencryptedValueError} naming `Model.field` and the argument path (never the value).
 */
export function verifySealedArgs(
  map: CompiledMap,
  inputTypes: InputTypes | undefined,
  model: string,
  operation: string,
  args: unknown,
): void {
  if (inputTypes === undefined || !isPlainObject(args)) return;
  for (const [arg, types] of Object.entries(rootTypes(model, operation))) {
    verifyValue(inputTypes, args[arg], types, arg);
  }
  verifySelection(map, inputTypes, model, args.select, "select");
  verifySelection(map, inputTypes, model, args.include, "include");
}
