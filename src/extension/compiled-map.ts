/**
 * The encryption map, resolved once at construction into what the walk and
 * the KMS round need per field: the key tag, the binding tag, the context
 * and a group id (one KMS call per group and query).
 */

import { bindingTag, searchableContext } from "../field-crypto/envelope.js";
import { groupId } from "../field-crypto/groups.js";
import type { ArgumentTypes, InputHandler } from "../schema/input-types.js";
import type {
  EncryptedField,
  EncryptedFieldType,
  EncryptionMap,
  ModelInfo,
  RelationField,
} from "../schema/map.js";

/** One encrypted column, ready for the walk. */
export interface FieldCrypto {
  readonly model: string;
  readonly name: string;
  /** `Model.field`, for errors. */
  readonly label: string;
  readonly type: EncryptedFieldType;
  readonly searchable: boolean;
  /** The key name in the `keys` config (`default`, `searchable`, ...), for key-check messages. */
  readonly keyName: string;
  readonly keyTag: string;
  /** 8-byte column binding tag inside every envelope. */
  readonly tag: Uint8Array;
  /** Convergent context (searchable fields only). */
  readonly context: Uint8Array | undefined;
  /** Fields with the same group id share a KMS call: same key tag and context. */
  readonly groupId: string;
}

export interface CompiledModel {
  readonly info: ModelInfo;
  readonly name: string;
  /** Encrypted fields by name. */
  readonly encrypted: ReadonlyMap<string, FieldCrypto>;
  readonly encryptedList: readonly FieldCrypto[];
  /** Relations by name (all of them). */
  readonly relations: ReadonlyMap<string, RelationField>;
  /** Relations whose target can hold an encrypted value. */
  readonly reachingRelations: readonly RelationField[];
  readonly reachesEncrypted: boolean;
  /** Scalar and relation field names, to tell a field from an argument keyword. */
  readonly fieldNames: ReadonlySet<string>;
  /** Prisma type of each scalar field (`String`, `Int`, `Json`, ...; `enum` for enums), when the map has them. */
  readonly scalarTypes: ReadonlyMap<string, string>;
}

/** What an input field leads to: an encrypted column of the type's model, or reaching input types. */
export type InputLead =
  | { readonly kind: "encrypted"; readonly field: FieldCrypto; readonly id: string }
  | { readonly kind: "types"; readonly types: readonly CompiledInputType[]; readonly id: string };

/**
 * One type an input field accepts, for telling two input types apart by the
 * shape of a value: a scalar (`String`, `Null`, ...), an enum, a field
 * reference, a reaching input type, or another input type's key set.
 */
export type AcceptedType = { readonly list: boolean } & (
  | { readonly kind: "scalar"; readonly name: string }
  | { readonly kind: "enum" | "fieldRef" | "object" }
  | { readonly kind: "input"; readonly type: CompiledInputType }
  | { readonly kind: "keys"; readonly keys: ReadonlySet<string> }
);

/** A Prisma input type that reaches an encrypted column (the map's `inputTypes`), resolved. */
export interface CompiledInputType {
  readonly name: string;
  readonly model: CompiledModel;
  readonly handler: InputHandler;
  /** Fields that lead to an encrypted column. */
  readonly leads: ReadonlyMap<string, InputLead>;
  /** Every field the type allows and what it accepts; `undefined` for maps without `accepts`. */
  readonly accepts: ReadonlyMap<string, readonly AcceptedType[]> | undefined;
}

/** Argument name → its candidate input types (those that reach an encrypted column). */
export type CompiledArguments = ReadonlyMap<string, readonly CompiledInputType[]>;

export interface CompiledMap {
  model(name: string): CompiledModel;
  readonly models: ReadonlyMap<string, CompiledModel>;
  /**
   * The reaching arguments of `operation` on `model` and their input types, or `undefined` when
   * the map does not carry Prisma's input types (hand-built or older maps: positional walk).
   */
  operationArgs(model: string, operation: string): CompiledArguments | undefined;
  /** The reaching arguments of a relation field in `select`/`include`, like {@link operationArgs}. */
  relationArgs(model: string, relation: string): CompiledArguments | undefined;
}

/** The column binding: the map's `binding` (pinned by the generator), else `Model.field` for hand-built maps. */
export function fieldBinding(model: string, field: EncryptedField): string {
  return typeof field.binding === "string" && field.binding.length > 0
    ? field.binding
    : `${model}.${field.name}`;
}

/** Compiles the map; `keyTags` maps key names to NCP key tags (checked beforehand by the config). */
export function compileMap(map: EncryptionMap, keyTags: Readonly<Record<string, string>>): CompiledMap {
  const models = new Map<string, CompiledModel>();
  for (const info of Object.values(map.models)) {
    const encryptedList = Object.values(info.encrypted).map((field) =>
      compileField(info.name, field, keyTags),
    );
    const relations = new Map(Object.values(info.relations).map((r) => [r.name, r] as const));
    models.set(info.name, {
      info,
      name: info.name,
      encrypted: new Map(encryptedList.map((f) => [f.name, f] as const)),
      encryptedList,
      relations,
      reachingRelations: [...relations.values()].filter(
        (r) => map.models[r.model]?.reachesEncrypted === true,
      ),
      reachesEncrypted: info.reachesEncrypted,
      fieldNames: new Set([...info.scalars, ...relations.keys()]),
      scalarTypes: new Map(Object.entries(info.scalarTypes ?? {})),
    });
  }
  const inputTypes = compileInputTypes(map, models);
  const typed = inputTypes.size > 0 && map.operations !== undefined;
  const resolveArgs = (args: ArgumentTypes | undefined): CompiledArguments =>
    new Map(
      Object.entries(args ?? {}).map(
        ([name, types]) => [name, types.flatMap((t) => inputTypes.get(t) ?? [])] as const,
      ),
    );
  const cache = new Map<string, CompiledArguments>();
  const cached = (key: string, args: () => ArgumentTypes | undefined): CompiledArguments | undefined => {
    if (!typed) return undefined;
    let found = cache.get(key);
    if (found === undefined) {
      found = resolveArgs(args());
      cache.set(key, found);
    }
    return found;
  };
  return {
    models,
    model(name) {
      const found = models.get(name);
      if (found === undefined) throw new Error(`prisma-ncp-kms: model ${name} is not in the encryption map`);
      return found;
    },
    operationArgs: (model, operation) =>
      map.operations?.[model]?.[operation] === undefined
        ? undefined
        : cached(`${model}.${operation}`, () => map.operations?.[model]?.[operation]),
    relationArgs: (model, relation) =>
      cached(`${model}:${relation}`, () => map.relationArgs?.[model]?.[relation]),
  };
}

/** The map's `inputTypes` resolved into objects that point at each other (types lead to types). */
function compileInputTypes(
  map: EncryptionMap,
  models: ReadonlyMap<string, CompiledModel>,
): Map<string, CompiledInputType> {
  const compiled = new Map<string, CompiledInputType>();
  const leadsOf = new Map<string, Map<string, InputLead>>();
  const acceptsOf = new Map<string, Map<string, AcceptedType[]>>();
  const entries = Object.entries(map.inputTypes ?? {});
  for (const [name, info] of entries) {
    const model = models.get(info.model);
    if (model === undefined) continue;
    const leads = new Map<string, InputLead>();
    const accepts = info.accepts === undefined ? undefined : new Map<string, AcceptedType[]>();
    leadsOf.set(name, leads);
    if (accepts !== undefined) acceptsOf.set(name, accepts);
    compiled.set(name, { name, model, handler: info.handler, leads, accepts });
  }
  const otherKeys = new Map(
    Object.entries(map.inputKeys ?? {}).map(([name, keys]) => [name, new Set(keys)] as const),
  );
  for (const [name, info] of entries) {
    const type = compiled.get(name);
    const leads = leadsOf.get(name);
    if (type === undefined || leads === undefined) continue;
    for (const [field, lead] of Object.entries(info.fields)) {
      if (lead === "encrypted") {
        const crypto = type.model.encrypted.get(field);
        if (crypto !== undefined)
          leads.set(field, { kind: "encrypted", field: crypto, id: `${type.handler}:${crypto.label}` });
      } else {
        const names = [...new Set(lead)].filter((t) => compiled.has(t));
        leads.set(field, {
          kind: "types",
          types: names.map((t) => compiled.get(t)!),
          id: [...names].sort().join("|"),
        });
      }
    }
    const accepts = acceptsOf.get(name);
    for (const [field, refs] of Object.entries(info.accepts ?? {})) {
      accepts?.set(
        field,
        refs.map((ref) => acceptedType(ref, compiled, otherKeys)),
      );
    }
  }
  return compiled;
}

const SCALARS = new Set([
  "String",
  "Int",
  "Float",
  "Boolean",
  "BigInt",
  "Decimal",
  "DateTime",
  "Json",
  "Bytes",
  "Null",
]);

function acceptedType(
  ref: string,
  compiled: ReadonlyMap<string, CompiledInputType>,
  otherKeys: ReadonlyMap<string, ReadonlySet<string>>,
): AcceptedType {
  const list = ref.endsWith("[]");
  const name = list ? ref.slice(0, -2) : ref;
  if (name === "enum" || name === "fieldRef") return { list, kind: name };
  if (SCALARS.has(name)) return { list, kind: "scalar", name };
  const type = compiled.get(name);
  if (type !== undefined) return { list, kind: "input", type };
  const keys = otherKeys.get(name);
  // An input type the map does not describe: any object (the walk then compares both readings).
  return keys === undefined ? { list, kind: "object" } : { list, kind: "keys", keys };
}

function compileField(
  model: string,
  field: EncryptedField,
  keyTags: Readonly<Record<string, string>>,
): FieldCrypto {
  const binding = fieldBinding(model, field);
  const keyTag = keyTags[field.key] ?? "";
  const context = field.searchable ? searchableContext(binding) : undefined;
  return {
    model,
    name: field.name,
    label: `${model}.${field.name}`,
    type: field.type,
    searchable: field.searchable,
    keyName: field.key,
    keyTag,
    tag: bindingTag(binding),
    context,
    groupId: groupId(keyTag, context),
  };
}
