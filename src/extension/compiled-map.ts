/**
 * The encryption map, resolved once at construction into what the walk and
 * the KMS round need per field: the key tag, the binding tag, the context
 * and a group id (one KMS call per group and query).
 */

import { bindingTag, searchableContext } from "../field-crypto/envelope.js";
import { groupId } from "../field-crypto/groups.js";
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

export interface CompiledMap {
  model(name: string): CompiledModel;
  readonly models: ReadonlyMap<string, CompiledModel>;
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
  return {
    models,
    model(name) {
      const found = models.get(name);
      if (found === undefined) throw new Error(`prisma-ncp-kms: model ${name} is not in the encryption map`);
      return found;
    },
  };
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
