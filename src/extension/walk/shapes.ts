/**
 * For the positional walk (maps without Prisma's input types; the walk by
 * input types decides with `fits.ts`). Which shape a nested object has, where Prisma allows two: a to-one
 * `update` is `{ where?, data }` or the update data itself; a to-one
 * relation filter is `{ is?, isNot? }` or a where of the related model.
 * Decided by the full set of keys each shape allows and the shape of their
 * values (a model may have fields named `data`, `where` or `is`), never by
 * one key name. When both shapes fit (or neither does), the caller walks
 * both and refuses the query if they would encrypt differently.
 */
import { NESTED_WRITE_OPERATIONS } from "../../schema/input-types.js";
import type { CompiledModel } from "../compiled-map.js";
import { scalarValueFits } from "./fits.js";
import { isPlainObject } from "./tree.js";
import { isNullish } from "./values.js";

/** Operators of a scalar update input (`{ set }`, `{ increment }`, ...). */
const UPDATE_OPERATORS = new Set(["set", "increment", "decrement", "multiply", "divide", "push", "unset"]);

/** Operators of a scalar filter (`StringFilter`, `IntFilter`, `JsonFilter`, ...). */
const FILTER_OPERATORS = new Set([
  "equals",
  "in",
  "notIn",
  "lt",
  "lte",
  "gt",
  "gte",
  "not",
  "contains",
  "startsWith",
  "endsWith",
  "mode",
  "search",
  "has",
  "hasEvery",
  "hasSome",
  "isEmpty",
  "isSet",
  "path",
  "string_contains",
  "string_starts_with",
  "string_ends_with",
  "array_contains",
  "array_starts_with",
  "array_ends_with",
]);

const LOGICAL = new Set(["AND", "OR", "NOT"]);

/** The keys of `value` whose value is not `undefined` (Prisma ignores those). */
export function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((k) => value[k] !== undefined);
}

/** Whether a value can be what a scalar field of this Prisma type takes in update data. */
function fitsScalarUpdate(type: string | undefined, value: unknown): boolean {
  if (isNullish(value) || type === undefined || type === "Json") return true;
  if (isPlainObject(value)) return definedKeys(value).every((k) => UPDATE_OPERATORS.has(k));
  return fitsScalarValue(type, value);
}

/** Whether a value can be what a scalar field of this Prisma type takes in a where. */
function fitsScalarFilter(type: string | undefined, value: unknown): boolean {
  if (isNullish(value) || type === undefined) return true;
  if (isPlainObject(value)) return definedKeys(value).every((k) => FILTER_OPERATORS.has(k));
  return type === "Json" || fitsScalarValue(type, value);
}

function fitsScalarValue(type: string, value: unknown): boolean {
  // Enums (strings) and field references are not told apart here.
  return scalarValueFits(type, value) ?? !isPlainObject(value);
}

/** Whether `value` can be update (or create) data of `model`: its fields only, each with a fitting value. */
export function fitsModelData(model: CompiledModel, value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  return definedKeys(value).every((key) => {
    const v = value[key];
    if (model.relations.has(key))
      return isPlainObject(v) && definedKeys(v).every((op) => NESTED_WRITE_OPERATIONS.has(op));
    if (!model.fieldNames.has(key)) return false;
    return fitsScalarUpdate(model.scalarTypes.get(key), v);
  });
}

/** Whether `value` can be a where (or where-unique) of `model`. */
export function fitsModelWhere(model: CompiledModel, value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  return definedKeys(value).every((key) => {
    const v = value[key];
    if (LOGICAL.has(key)) return true;
    if (model.relations.has(key)) return v === null || isPlainObject(v);
    if (model.info.compoundSelectors[key] !== undefined) return isPlainObject(v);
    if (!model.fieldNames.has(key)) return false;
    return fitsScalarFilter(model.scalarTypes.get(key), v);
  });
}

/** `{ where?, data }` of a to-one nested `update`. */
export function fitsToOneUpdateWrapper(model: CompiledModel, value: Record<string, unknown>): boolean {
  const keys = definedKeys(value);
  return (
    keys.includes("data") &&
    keys.every((k) => k === "where" || k === "data") &&
    fitsModelData(model, value.data) &&
    (value.where === undefined || fitsModelWhere(model, value.where))
  );
}

/** `{ is?, isNot? }` of a to-one relation filter. */
export function fitsToOneFilterWrapper(model: CompiledModel, value: Record<string, unknown>): boolean {
  const keys = definedKeys(value);
  return (
    keys.length > 0 &&
    keys.every((k) => (k === "is" || k === "isNot") && (value[k] === null || fitsModelWhere(model, value[k])))
  );
}
