/**
 * The walk driven by Prisma's input types. At each position the map says
 * which input types Prisma accepts there (from the operation's root
 * argument, e.g. `User.create.data` → `UserCreateInput |
 * UserUncheckedCreateInput`, then field by field); the walk keeps those the
 * value fits by the full key set and value shapes each allows, and follows
 * each key as that type says: to more input types, or to an encrypted
 * column, handled as the type's handler says (`data`: a write, `where`: a
 * filter). Key names never decide anything: a field named `data`, `where`
 * or `is` is whatever the input type makes it.
 *
 * Where several types still fit, a key they all read the same way is walked
 * once; otherwise each reading is walked on its own, and the query is
 * refused (`ENCRYPTION_AMBIGUOUS_INPUT`) if they would encrypt differently:
 * Prisma might pick the reading we did not encrypt for.
 */
import type { CompiledInputType, InputLead } from "../compiled-map.js";
import { AmbiguousInputError, UnsupportedQueryError } from "../errors.js";
import { ArgsWalk } from "./context.js";
import { writeValue } from "./data.js";
import { fitsInputType } from "./fits.js";
import { isPlainObject, mapArray, mapObject } from "./tree.js";
import { EncryptSlot } from "./values.js";
import { walkFieldFilter } from "./where.js";

/**
 * Rewrites `value`, which Prisma reads as one of `types` (the reaching ones; an
 * empty list means nothing below can be encrypted).
 *
 * @param position the argument or field name the value sits under, for errors.
 */
export function walkInput(
  walk: ArgsWalk,
  types: readonly CompiledInputType[],
  value: unknown,
  position: string,
): unknown {
  if (types.length === 0) return value;
  if (Array.isArray(value)) return mapArray(value, (item) => walkInput(walk, types, item, position));
  if (!isPlainObject(value)) return value;
  let candidates = types;
  if (candidates.length > 1 && !readSameWay(candidates, value)) {
    const fitting = candidates.filter((type) => fitsInputType(type, value));
    // None fits: Prisma will refuse the value, but every reading is still checked.
    if (fitting.length > 0) candidates = fitting;
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only !== undefined) {
    return mapObject(value, (key, v) => {
      const lead = only.leads.get(key);
      return lead === undefined || v === undefined ? v : followLead(walk, only, lead, key, v);
    });
  }
  return mapObject(value, (key, v) =>
    v === undefined ? v : walkKeyOfSeveral(walk, candidates, key, v, position),
  );
}

/** What a key does under a type: `"types"` (leads on, types merged), an encrypted column's lead id, or `""` (nothing). */
function readingKind(type: CompiledInputType, key: string): string {
  const lead = type.leads.get(key);
  return lead === undefined ? "" : lead.kind === "types" ? "types" : lead.id;
}

/** Every key of `value` read the same way by every candidate: then which type fits does not matter. */
function readSameWay(candidates: readonly CompiledInputType[], value: Record<string, unknown>): boolean {
  const [first, ...rest] = candidates;
  if (first === undefined) return true;
  for (const key of Object.keys(value)) {
    if (value[key] === undefined) continue;
    const kind = readingKind(first, key);
    if (rest.some((type) => readingKind(type, key) !== kind)) return false;
  }
  return true;
}

/** One reading of a key: the type whose reading it is, and its lead (`undefined`: left as is). */
interface Reading {
  readonly type: CompiledInputType;
  readonly lead: InputLead | undefined;
}

/** A key of a value that several input types fit. */
function walkKeyOfSeveral(
  walk: ArgsWalk,
  candidates: readonly CompiledInputType[],
  key: string,
  value: unknown,
  position: string,
): unknown {
  // Readings by what they do; every "leads to input types" reading is one (the union of their
  // types is walked, fitted again below), so only plain/encrypted/nested can disagree.
  const readings = new Map<string, Reading>();
  const unionTypes: CompiledInputType[] = [];
  for (const type of candidates) {
    const lead = type.leads.get(key);
    if (lead?.kind === "types") {
      for (const t of lead.types) if (!unionTypes.includes(t)) unionTypes.push(t);
      if (!readings.has("types")) readings.set("types", { type, lead });
    } else readings.set(lead?.id ?? "", { type, lead });
  }
  const read = (w: ArgsWalk, reading: Reading): unknown => {
    const { lead } = reading;
    if (lead === undefined) return value;
    if (lead.kind === "types") return walkInput(w, unionTypes, value, key);
    return followLead(w, reading.type, lead, key, value);
  };
  if (readings.size === 1) return read(walk, readings.values().next().value as Reading);
  let first: { walk: ArgsWalk; result: unknown } | undefined;
  for (const reading of readings.values()) {
    const fork = new ArgsWalk(walk.map, walk.operation);
    const result = read(fork, reading);
    if (first === undefined) first = { walk: fork, result };
    else if (!sameReading(first.result, result)) {
      const model = reading.type.model.name;
      throw new AmbiguousInputError(
        model,
        position,
        `Prisma accepts ${candidates.map((t) => t.name).join(" or ")} here, and they read "${key}" ` +
          "differently; use only the keys of one of them",
      );
    }
  }
  if (first === undefined) return value;
  walk.slots.push(...first.walk.slots);
  return first.result;
}

function followLead(
  walk: ArgsWalk,
  type: CompiledInputType,
  lead: InputLead,
  key: string,
  value: unknown,
): unknown {
  if (lead.kind === "types") return walkInput(walk, lead.types, value, key);
  switch (type.handler) {
    case "data":
      return writeValue(walk, lead.field, value);
    case "where":
      return walkFieldFilter(lead.field, value, walk);
    default:
      // orderBy / aggregate / having name fields; the argument guards refuse them first.
      throw new UnsupportedQueryError(
        lead.field.model,
        lead.field.name,
        type.handler,
        "cannot work on ciphertext",
      );
  }
}

/** Two readings write the same: same tree, slots for the same column and plaintext at the same places. */
function sameReading(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof EncryptSlot || b instanceof EncryptSlot) {
    return (
      a instanceof EncryptSlot &&
      b instanceof EncryptSlot &&
      a.field === b.field &&
      Buffer.from(a.plaintext).equals(b.plaintext)
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameReading(x, b[i]))
    );
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameReading(a[k], b[k]));
}
