/**
 * DMMF datamodel → encryption map. Pure: the generator feeds it
 * `options.dmmf.datamodel`, tests feed it `getDMMF()` output. Every problem
 * in the schema is collected and thrown at once.
 */
import { parseEncryptedAnnotation } from "./annotations.js";
import type { Datamodel, DatamodelModel } from "./datamodel.js";
import { toEncryptedField } from "./encrypted-field.js";
import { SchemaAnnotationError, type SchemaProblem } from "./errors.js";
import { analyzeInputTypes, type DmmfSchema } from "./input-types.js";
import type { EncryptedField, EncryptionMap, ModelInfo, RelationField } from "./map.js";
import { modelsReachingEncrypted, type ReachNode } from "./reach.js";

/** The map and every problem found; {@link buildEncryptionMap} throws when `problems` is not empty. */
export interface EncryptionMapAnalysis {
  readonly map: EncryptionMap;
  readonly problems: readonly SchemaProblem[];
}

/**
 * Builds the encryption map from a Prisma datamodel.
 *
 * @param datamodel `options.dmmf.datamodel` in a generator, or `(await getDMMF({ datamodel })).datamodel`.
 * @param schema `options.dmmf.schema`: when given, the map also says per Prisma input type which
 *   fields lead to encrypted columns (`inputTypes`), and an input type reaching one that no walk
 *   handler covers is a problem.
 * @returns the map; models sorted by name, fields in schema order.
 * @throws {SchemaAnnotationError} listing every problem as `Model.field: what is wrong`.
 * @example
 * const map = buildEncryptionMap(options.dmmf.datamodel);
 * map.models.User?.encrypted.email?.key; // "searchable"
 */
export function buildEncryptionMap(datamodel: Datamodel, schema?: DmmfSchema): EncryptionMap {
  const { map, problems } = analyzeDatamodel(datamodel, schema);
  if (problems.length > 0) throw new SchemaAnnotationError(problems);
  return map;
}

/** Like {@link buildEncryptionMap}, but returns the problems instead of throwing. */
export function analyzeDatamodel(datamodel: Datamodel, schema?: DmmfSchema): EncryptionMapAnalysis {
  const problems: SchemaProblem[] = [];
  const relationUses = relationKeyUses(datamodel);
  const partial = new Map<string, Omit<ModelInfo, "reachesEncrypted">>();
  for (const model of datamodel.models) {
    partial.set(model.name, describeModel(model, relationUses, problems));
  }
  checkBindingsAreUnique([...partial.values()], problems);

  const nodes = new Map<string, ReachNode>();
  for (const [name, info] of partial) {
    nodes.set(name, {
      hasEncrypted: Object.keys(info.encrypted).length > 0,
      targets: Object.values(info.relations).map((r) => r.model),
    });
  }
  const reaching = modelsReachingEncrypted(nodes);
  const models: Record<string, ModelInfo> = {};
  for (const name of [...partial.keys()].sort()) {
    const info = partial.get(name)!;
    models[name] = { ...info, reachesEncrypted: reaching.has(name) };
  }
  if (schema === undefined) return { map: { version: 1, models }, problems };
  const encryptedByModel = new Map(
    Object.values(models).map((m) => [m.name, new Set(Object.keys(m.encrypted))] as const),
  );
  const fieldsByModel = new Map(
    Object.values(models).map(
      (m) =>
        [
          m.name,
          new Set([...m.scalars, ...Object.keys(m.relations), ...Object.keys(m.compoundSelectors)]),
        ] as const,
    ),
  );
  const analysis = analyzeInputTypes(schema, encryptedByModel, fieldsByModel);
  problems.push(...analysis.problems);
  const { inputTypes, inputKeys, operations, relationArgs } = analysis;
  return { map: { version: 1, models, inputTypes, inputKeys, operations, relationArgs }, problems };
}

function describeModel(
  model: DatamodelModel,
  relationUses: ReadonlyMap<string, string>,
  problems: SchemaProblem[],
): Omit<ModelInfo, "reachesEncrypted"> {
  const modelDoc = parseEncryptedAnnotation(model.documentation);
  if (modelDoc.annotation !== undefined || modelDoc.errors.length > 0) {
    problems.push({
      location: model.name,
      message: "@encrypted goes in a field's /// comment, not the model's",
    });
  }
  const compoundId =
    model.primaryKey !== null && model.primaryKey.fields.length > 1 ? model.primaryKey : null;
  const compoundUniques = model.uniqueIndexes.filter((u) => u.fields.length > 1);
  const encrypted: Record<string, EncryptedField> = {};
  const relations: Record<string, RelationField> = {};
  const scalars: string[] = [];
  const scalarTypes: Record<string, string> = {};
  for (const field of model.fields) {
    if (field.kind === "object")
      relations[field.name] = { name: field.name, model: field.type, isList: field.isList };
    else {
      scalars.push(field.name);
      scalarTypes[field.name] = field.kind === "enum" ? "enum" : field.type;
    }

    const location = `${model.name}.${field.name}`;
    const parsed = parseEncryptedAnnotation(field.documentation);
    for (const message of parsed.errors) problems.push({ location, message });
    if (parsed.annotation === undefined) continue;
    const result = toEncryptedField(model, field, parsed.annotation, {
      inCompoundId: compoundId?.fields.includes(field.name) ?? false,
      inCompoundUnique: compoundUniques.some((u) => u.fields.includes(field.name)),
      relationUse: relationUses.get(location),
    });
    if ("problems" in result) for (const message of result.problems) problems.push({ location, message });
    else if (parsed.errors.length === 0) encrypted[field.name] = result.field;
  }

  const idFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
  const compoundSelectors: Record<string, readonly string[]> = {};
  if (compoundId !== null)
    compoundSelectors[compoundId.name ?? compoundId.fields.join("_")] = [...compoundId.fields];
  for (const unique of compoundUniques)
    compoundSelectors[unique.name ?? unique.fields.join("_")] = [...unique.fields];

  return {
    name: model.name,
    dbName: model.dbName ?? model.name,
    ...(model.schema ? { dbSchema: model.schema } : {}),
    idFields: [...idFields],
    idColumns: idFields.map((name) => {
      const field = model.fields.find((f) => f.name === name);
      return field?.dbName ?? name;
    }),
    uniqueFields: [
      ...model.fields.filter((f) => f.isUnique).map((f) => [f.name]),
      ...compoundUniques.map((u) => [...u.fields]),
    ],
    compoundSelectors,
    encrypted,
    relations,
    scalars,
    scalarTypes,
  };
}

/**
 * `"Model.field"` → how a relation uses that column (its foreign key on this
 * side, or the key the other side references). Such columns must stay plain.
 */
function relationKeyUses(datamodel: Datamodel): Map<string, string> {
  const uses = new Map<string, string>();
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== "object") continue;
      for (const from of field.relationFromFields ?? []) {
        uses.set(`${model.name}.${from}`, `a foreign key of relation "${field.name}"`);
      }
      for (const to of field.relationToFields ?? []) {
        const key = `${field.type}.${to}`;
        if (!uses.has(key)) uses.set(key, `a column referenced by ${model.name}.${field.name}`);
      }
    }
  }
  return uses;
}

/** Two columns with one binding could swap ciphertexts unnoticed (and share a searchable context). */
function checkBindingsAreUnique(
  models: readonly Omit<ModelInfo, "reachesEncrypted">[],
  problems: SchemaProblem[],
): void {
  const owners = new Map<string, string>();
  for (const model of models) {
    for (const field of Object.values(model.encrypted)) {
      const location = `${model.name}.${field.name}`;
      const owner = owners.get(field.binding);
      if (owner === undefined) owners.set(field.binding, location);
      else problems.push({ location, message: `binding "${field.binding}" is already used by ${owner}` });
    }
  }
}
