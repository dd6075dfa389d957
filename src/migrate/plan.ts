/**
 * Planning: which models and fields a run touches, with everything the page
 * worker needs per field resolved once (key tag, binding tag, searchable
 * context), and in which order: searchable fields of every model first — a
 * lookup by a searchable column cannot match rows still on an old key
 * version, so that window is kept as short as possible — then the others.
 */
import { bindingTag, searchableContext } from "../field-crypto/envelope.js";
import type { EncryptedField, EncryptedFieldType, EncryptionMap, ModelInfo } from "../schema/map.js";
import type { PassName } from "./checkpoint.js";
import { MigrateInvalidOptionError, MigrateUnknownTargetError } from "./errors.js";
import type { MigrateMode } from "./types.js";

export interface FieldTarget {
  readonly name: string;
  readonly type: EncryptedFieldType;
  readonly searchable: boolean;
  /** Part of a unique constraint (alone or compound): a re-encryption can collide. */
  readonly unique: boolean;
  readonly keyName: string;
  readonly keyTag: string;
  /** The envelope's column binding tag. */
  readonly tag: Uint8Array;
  /** The KMS context: searchable fields only. */
  readonly context: Uint8Array | undefined;
}

export interface ModelTarget {
  readonly model: string;
  readonly idFields: readonly string[];
  /** Every field this run touches in the model, sorted by name. */
  readonly fields: readonly FieldTarget[];
}

export interface PassPlan {
  readonly pass: PassName;
  readonly models: ReadonlyArray<{ target: ModelTarget; fields: readonly FieldTarget[] }>;
}

/** The binding a field's envelope and context derive from: `binding` if the map gives one, else `Model.field`. */
export function bindingOf(model: string, field: EncryptedField): string {
  const explicit = (field as EncryptedField & { binding?: unknown }).binding;
  return typeof explicit === "string" && explicit.length > 0 ? explicit : `${model}.${field.name}`;
}

function fieldTarget(
  info: ModelInfo,
  field: EncryptedField,
  keys: Readonly<Record<string, string>>,
): FieldTarget {
  const keyTag = keys[field.key];
  if (keyTag === undefined) {
    throw new MigrateInvalidOptionError(
      "keys",
      `no key tag for key name '${field.key}' (${info.name}.${field.name})`,
    );
  }
  const binding = bindingOf(info.name, field);
  return {
    name: field.name,
    type: field.type,
    searchable: field.searchable,
    unique: field.isUnique || info.uniqueFields.some((u) => u.includes(field.name)),
    keyName: field.key,
    keyTag,
    tag: bindingTag(binding),
    context: field.searchable ? searchableContext(binding) : undefined,
  };
}

export interface TargetSelection {
  models?: readonly string[] | undefined;
  fields?: readonly string[] | undefined;
}

/** Resolves `--model`/`--field` against the map (throws on names the map does not mark). */
export function selectTargets(
  map: EncryptionMap,
  keys: Readonly<Record<string, string>>,
  selection: TargetSelection,
): ModelTarget[] {
  const all = Object.values(map.models).filter((m) => Object.keys(m.encrypted).length > 0);
  for (const name of selection.models ?? []) {
    if (!all.some((m) => m.name === name)) throw new MigrateUnknownTargetError(`model ${name}`);
  }
  const fieldFilters = selection.fields ?? [];
  const matched = new Set<string>();
  const targets: ModelTarget[] = [];
  for (const info of all) {
    if (
      selection.models !== undefined &&
      selection.models.length > 0 &&
      !selection.models.includes(info.name)
    ) {
      continue;
    }
    const fields = Object.values(info.encrypted)
      .filter((f) => {
        if (fieldFilters.length === 0) return true;
        const hit = fieldFilters.find((spec) => spec === `${info.name}.${f.name}` || spec === f.name);
        if (hit !== undefined) matched.add(hit);
        return hit !== undefined;
      })
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((f) => fieldTarget(info, f, keys));
    if (fields.length > 0) targets.push({ model: info.name, idFields: info.idFields, fields });
  }
  for (const spec of fieldFilters) {
    if (!matched.has(spec)) throw new MigrateUnknownTargetError(`field ${spec}`);
  }
  return targets;
}

/** Orders the work: for writing modes, searchable fields of every model first, then the rest. */
export function planPasses(mode: MigrateMode, targets: readonly ModelTarget[]): PassPlan[] {
  if (mode === "status")
    return [{ pass: "all", models: targets.map((t) => ({ target: t, fields: t.fields })) }];
  const passes: PassPlan[] = [];
  for (const pass of ["searchable", "other"] as const) {
    const models = targets
      .map((t) => ({ target: t, fields: t.fields.filter((f) => f.searchable === (pass === "searchable")) }))
      .filter((m) => m.fields.length > 0);
    if (models.length > 0) passes.push({ pass, models });
  }
  return passes;
}
