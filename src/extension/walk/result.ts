/**
 * The result phase: finds every encrypted value in what Prisma returned
 * (rows, nested relations at any depth, the unpacked records of a Fluent API
 * call) by the map's fields and relations, and returns a copy whose
 * ciphertexts are slots waiting for plaintext. Prisma's result objects are
 * never modified.
 */
import { ciphertextInColumn } from "../../field-crypto/envelope.js";
import type { CompiledMap, CompiledModel, FieldCrypto } from "../compiled-map.js";
import type { RowId } from "../errors.js";
import { isPlainObject, Slot } from "./tree.js";

/** A stored ciphertext on its way to the KMS; filled with the field's value. */
export class DecryptSlot extends Slot {
  constructor(
    readonly field: FieldCrypto,
    readonly ciphertext: string,
    readonly rowId: RowId | undefined,
  ) {
    super();
  }
}

/** A column holding something that is not ciphertext (legacy plaintext), when plaintext reads are refused. */
export class PlaintextSlot extends Slot {
  constructor(
    readonly field: FieldCrypto,
    readonly rowId: RowId | undefined,
  ) {
    super();
  }
}

export interface ResultPlan {
  readonly result: unknown;
  readonly slots: readonly DecryptSlot[];
  readonly plaintextCells: readonly PlaintextSlot[];
  /** Legacy plaintext cells left as they are (`allowPlaintext`), counted per field. */
  readonly plaintextReads: ReadonlyMap<FieldCrypto, number>;
}

/**
 * Plans the decryption of `result`, a value of `model` (one row, a list, or
 * null). Legacy plaintext cells are left as they are when `allowPlaintext`,
 * else collected so the caller can refuse them.
 */
export function planResult(
  map: CompiledMap,
  model: CompiledModel,
  result: unknown,
  allowPlaintext: boolean,
): ResultPlan {
  const slots: DecryptSlot[] = [];
  const plaintextCells: PlaintextSlot[] = [];
  const plaintextReads = new Map<FieldCrypto, number>();
  const walkValue = (m: CompiledModel, value: unknown): unknown => {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const row: unknown = value[i];
        const next = walkRow(m, row);
        if (next !== row) {
          copy ??= [...value];
          copy[i] = next;
        }
      }
      return copy ?? value;
    }
    return walkRow(m, value);
  };
  const walkRow = (m: CompiledModel, row: unknown): unknown => {
    if (!isPlainObject(row)) return row;
    let copy: Record<string, unknown> | undefined;
    let rowId: RowId | undefined;
    let rowIdRead = false;
    for (const field of m.encryptedList) {
      const stored = row[field.name];
      if (stored === null || stored === undefined) continue;
      if (!rowIdRead) {
        rowId = readRowId(m, row);
        rowIdRead = true;
      }
      const ciphertext = ciphertextInColumn(field.type, stored);
      if (ciphertext === null && allowPlaintext) {
        plaintextReads.set(field, (plaintextReads.get(field) ?? 0) + 1);
        continue;
      }
      copy ??= { ...row };
      if (ciphertext === null) {
        const cell = new PlaintextSlot(field, rowId);
        cell.place(copy, field.name);
        plaintextCells.push(cell);
        continue;
      }
      const slot = new DecryptSlot(field, ciphertext, rowId);
      slot.place(copy, field.name);
      slots.push(slot);
    }
    for (const relation of m.reachingRelations) {
      const value = row[relation.name];
      if (typeof value !== "object" || value === null) continue;
      const next = walkValue(map.model(relation.model), value);
      if (next !== value) {
        copy ??= { ...row };
        copy[relation.name] = next;
      }
    }
    return copy ?? row;
  };
  return { result: walkValue(model, result), slots, plaintextCells, plaintextReads };
}

function readRowId(model: CompiledModel, row: Record<string, unknown>): RowId | undefined {
  const idFields = model.info.idFields;
  if (idFields.length === 1) {
    const id = row[idFields[0] as string];
    return typeof id === "string" || typeof id === "number" || typeof id === "bigint" ? id : undefined;
  }
  if (idFields.length === 0 || idFields.some((f) => row[f] === undefined)) return undefined;
  return Object.fromEntries(idFields.map((f) => [f, row[f]]));
}

/**
 * The model whose records a query returns and the args node that selects
 * them. For a Fluent API call (`user.findUnique(...).posts()`), `dataPath`
 * (`["select", "posts"]`) leads from the parent model to the related one.
 */
export function resultTarget(
  map: CompiledMap,
  model: CompiledModel,
  args: unknown,
  dataPath: readonly string[],
): { model: CompiledModel; selection: unknown } {
  let current = model;
  let node: unknown = args;
  for (let i = 0; i + 1 < dataPath.length; i += 2) {
    const relationName = dataPath[i + 1] as string;
    const relation = current.relations.get(relationName);
    if (relation === undefined)
      throw new Error(`prisma-ncp-kms: unknown relation ${current.name}.${relationName}`);
    current = map.model(relation.model);
    const container: unknown = isPlainObject(node) ? node[dataPath[i] as string] : undefined;
    node = isPlainObject(container) ? container[relationName] : undefined;
  }
  return { model: current, selection: node };
}

/** Whether the records selected by `selection` (args, `true`, or undefined) can hold an encrypted value. */
export function selectionMayHoldEncrypted(
  map: CompiledMap,
  model: CompiledModel,
  selection: unknown,
): boolean {
  if (!model.reachesEncrypted) return false;
  if (!isPlainObject(selection)) return model.encryptedList.length > 0;
  const { select, include, omit } = selection;
  const nested = (name: string, value: unknown): boolean => {
    if (!value) return false;
    if (model.encrypted.has(name)) return true;
    const relation = model.relations.get(name);
    return relation !== undefined && selectionMayHoldEncrypted(map, map.model(relation.model), value);
  };
  if (isPlainObject(select)) return Object.entries(select).some(([k, v]) => nested(k, v));
  const omitted = isPlainObject(omit) ? omit : {};
  if (model.encryptedList.some((f) => !omitted[f.name])) return true;
  return isPlainObject(include) && Object.entries(include).some(([k, v]) => nested(k, v));
}
