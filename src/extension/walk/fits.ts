/**
 * Whether a value can be of one Prisma input type: every key it sets is a
 * field the type allows, and each value has a shape one of that field's
 * accepted types allows (a string for `String`, `{ set }` for
 * `StringFieldUpdateOperationsInput`, a where of the model for
 * `KwItemWhereInput`, ...). Used where Prisma accepts several input types at
 * one position (`XUpdateToOneWithWhereWithoutYInput` or `XUpdateWithoutYInput`).
 * Errs on the side of "fits": a wrong "fits" only makes the walk compare two
 * readings, a wrong "does not fit" could hide the reading Prisma picks.
 */
import type { AcceptedType, CompiledInputType } from "../compiled-map.js";
import { isPlainObject } from "./tree.js";
import { isNullish } from "./values.js";

/** Nested input types checked below this depth are taken to fit (bounds the cost on deep values). */
const MAX_DEPTH = 4;

/** `true` when `value` may be of `type` (always for types from maps without `accepts`). */
export function fitsInputType(type: CompiledInputType, value: Record<string, unknown>, depth = 0): boolean {
  const accepts = type.accepts;
  if (accepts === undefined) return true;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    const accepted = accepts.get(key);
    if (accepted === undefined || !accepted.some((a) => fitsAccepted(a, v, depth))) return false;
  }
  return true;
}

function fitsAccepted(accepted: AcceptedType, value: unknown, depth: number): boolean {
  if (isNullish(value)) return true;
  if (Array.isArray(value)) return accepted.list && value.every((item) => fitsOne(accepted, item, depth));
  return !accepted.list && fitsOne(accepted, value, depth);
}

function fitsOne(accepted: AcceptedType, value: unknown, depth: number): boolean {
  switch (accepted.kind) {
    case "scalar":
      return fitsScalar(accepted.name, value);
    case "enum":
      return typeof value === "string";
    case "fieldRef":
      // Field references are class instances (`prisma.user.fields.name`).
      return typeof value === "object" && value !== null && !isPlainObject(value);
    case "object":
      return isPlainObject(value);
    case "keys":
      return (
        isPlainObject(value) &&
        Object.keys(value).every((k) => value[k] === undefined || accepted.keys.has(k))
      );
    case "input":
      return isPlainObject(value) && (depth >= MAX_DEPTH || fitsInputType(accepted.type, value, depth + 1));
  }
}

function fitsScalar(name: string, value: unknown): boolean {
  return name === "Json" || (scalarValueFits(name, value) ?? false);
}

/**
 * Whether `value` can be a value of the Prisma scalar type `name` (`undefined`
 * for a name that is not a scalar type: an enum, a field reference).
 * Shared by this walk and the positional one (shapes.ts).
 */
export function scalarValueFits(name: string, value: unknown): boolean | undefined {
  switch (name) {
    case "String":
      return typeof value === "string";
    case "Boolean":
      return typeof value === "boolean";
    case "Int":
    case "Float":
      return typeof value === "number";
    case "BigInt":
      return typeof value === "bigint" || typeof value === "number" || typeof value === "string";
    case "Bytes":
      return value instanceof Uint8Array;
    case "DateTime":
      return value instanceof Date || typeof value === "string";
    case "Decimal":
      return (
        typeof value === "number" ||
        typeof value === "string" ||
        (typeof value === "object" && !isPlainObject(value))
      );
    default:
      return undefined;
  }
}
