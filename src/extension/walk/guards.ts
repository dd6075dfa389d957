/**
 * Arguments that can never work on ciphertext: ordering, distinct, groupBy
 * keys, `having`, and `_min`/`_max` over an encrypted field. Each is refused
 * with an error naming `Model.field` and the argument, before any query runs.
 */
import type { CompiledMap, CompiledModel } from "../compiled-map.js";
import { UnsupportedQueryError } from "../errors.js";
import { isPlainObject } from "./tree.js";

function refuse(model: CompiledModel, field: string, operator: string, reason: string): never {
  throw new UnsupportedQueryError(model.name, field, operator, reason);
}

/** `orderBy` (find, groupBy, nested relation orderBy). */
export function checkOrderBy(map: CompiledMap, model: CompiledModel, orderBy: unknown): void {
  if (!model.reachesEncrypted) return;
  for (const item of Array.isArray(orderBy) ? orderBy : [orderBy]) {
    if (!isPlainObject(item)) continue;
    for (const [key, value] of Object.entries(item)) {
      if (value === undefined) continue;
      if (model.encrypted.has(key)) refuse(model, key, "orderBy", "cannot sort by ciphertext");
      const relation = model.relations.get(key);
      if (relation !== undefined && !relation.isList) checkOrderBy(map, map.model(relation.model), value);
      if (key === "_relevance" && isPlainObject(value)) {
        checkFieldList(model, value.fields, "orderBy _relevance", "cannot full-text search ciphertext");
      }
      if ((key === "_min" || key === "_max") && isPlainObject(value)) {
        checkFieldList(model, Object.keys(value), `orderBy ${key}`, "cannot sort by ciphertext");
      }
    }
  }
}

/** A field name or list of them (`distinct`, `by`, `_relevance.fields`). */
export function checkFieldList(
  model: CompiledModel,
  fields: unknown,
  operator: string,
  reason: string,
): void {
  for (const name of Array.isArray(fields) ? fields : [fields]) {
    if (typeof name === "string" && model.encrypted.has(name)) refuse(model, name, operator, reason);
  }
}

/** `_min` / `_max` of aggregate and groupBy: `{ field: true }`. */
export function checkMinMax(model: CompiledModel, selection: unknown, operator: string): void {
  if (!isPlainObject(selection)) return;
  for (const [name, on] of Object.entries(selection)) {
    if (on && model.encrypted.has(name)) refuse(model, name, operator, "cannot compare ciphertexts by order");
  }
}

/** groupBy `having`: filters on aggregates of encrypted fields cannot be answered. */
export function checkHaving(model: CompiledModel, having: unknown): void {
  if (!isPlainObject(having)) return;
  for (const [key, value] of Object.entries(having)) {
    if (value === undefined) continue;
    if (key === "AND" || key === "OR" || key === "NOT") {
      for (const inner of Array.isArray(value) ? value : [value]) checkHaving(model, inner);
    } else if (model.encrypted.has(key)) {
      refuse(model, key, "having", "cannot filter groups on ciphertext");
    }
  }
}
