/**
 * Prisma's input object types (the generator's `dmmf.schema.inputObjectTypes`)
 * → which of them reach an encrypted column, through which fields, and the
 * walk handler each belongs to. Generation fails when a type that reaches an
 * encrypted field matches no handler: a Prisma version with a new kind of
 * argument then breaks the build instead of writing plaintext. Pure.
 */
import type { SchemaProblem } from "./errors.js";

/** One field of an input object type, as the DMMF describes it. */
export interface DmmfInputField {
  readonly name: string;
  readonly inputTypes: readonly { readonly type: string; readonly location: string }[];
}

/** One input object type (`UserWhereInput`, `PostUpdateWithoutAuthorInput`, ...). */
export interface DmmfInputType {
  readonly name: string;
  /** `grouping` names the model the type belongs to. */
  readonly meta?: { readonly grouping?: string } | undefined;
  readonly fields: readonly DmmfInputField[];
}

/** The slice of `dmmf.schema` read here. */
export interface DmmfSchema {
  readonly inputObjectTypes: { readonly prisma?: readonly DmmfInputType[] | undefined };
}

/**
 * The walk handlers an input type can belong to: `where` (filters and
 * unique selectors), `data` (create/update data), `nested` (nested-write
 * operations of a relation field), `orderBy`, `aggregate` (`_min`, `_max`,
 * ...) and `having`; the last three only refuse encrypted fields.
 */
export type InputHandler = "where" | "data" | "nested" | "orderBy" | "aggregate" | "having";

/** A reaching input type: its model, handler, and the fields that lead to an encrypted column. */
export interface InputTypeInfo {
  readonly model: string;
  readonly handler: InputHandler;
  /** Field → `"encrypted"` (the model's encrypted column itself) or the reaching input types it accepts. */
  readonly fields: Readonly<Record<string, "encrypted" | readonly string[]>>;
}

/** Handler by the type name without its model prefix; first match wins. */
const HANDLERS: ReadonlyArray<readonly [RegExp, InputHandler]> = [
  [/^ScalarWhereWithAggregatesInput$/, "having"],
  [/OrderBy\w*Input$/, "orderBy"],
  [/^(Count|Avg|Sum|Min|Max)AggregateInput$/, "aggregate"],
  [
    /^(WhereInput|WhereUniqueInput|ScalarWhereInput|ListRelationFilter|(Nullable)?(Scalar)?RelationFilter|\w+CompoundUniqueInput)$/,
    "where",
  ],
  [/^(Unchecked)?Create(Nested)?(One|Many)Without\w+Input$/, "nested"],
  [/^(Unchecked)?Update(One|Many)(Required)?Without\w+NestedInput$/, "nested"],
  [/^CreateOrConnectWithout\w+Input$/, "nested"],
  [/^UpsertWith(WhereUniqueWith)?out\w+Input$/, "nested"],
  [/^Update(Many)?WithWhere(Unique)?Without\w+Input$/, "nested"],
  [/^UpdateToOneWithWhereWithout\w+Input$/, "nested"],
  [/^CreateMany\w*InputEnvelope$/, "nested"],
  [/^(Unchecked)?(Create|Update)(Many)?(Mutation)?(Without\w+)?Input$/, "data"],
  [/^CreateMany\w*Input$/, "data"],
];

/** Argument names (besides the model's own fields) each handler walks into; anything else leading to an encrypted column is unhandled. */
const HANDLED_ARGUMENTS: Readonly<Record<InputHandler, ReadonlySet<string>>> = {
  where: new Set(["AND", "OR", "NOT", "is", "isNot", "some", "every", "none"]),
  data: new Set(),
  nested: new Set([
    "create",
    "createMany",
    "connectOrCreate",
    "connect",
    "set",
    "disconnect",
    "delete",
    "deleteMany",
    "update",
    "updateMany",
    "upsert",
    "where",
    "data",
  ]),
  orderBy: new Set(["_count", "_min", "_max", "_avg", "_sum", "_relevance"]),
  aggregate: new Set(),
  having: new Set(["AND", "OR", "NOT"]),
};

function handlerOf(model: string, typeName: string): InputHandler | undefined {
  const rest = typeName.startsWith(model) ? typeName.slice(model.length) : typeName;
  return HANDLERS.find(([pattern]) => pattern.test(rest))?.[1];
}

/**
 * The input types that reach an encrypted column (directly, or through a
 * field accepting a reaching type), each with its handler.
 *
 * @param encryptedByModel model name → names of its encrypted fields.
 * @param fieldsByModel model name → its field names and compound selectors: a leading field of a
 *   reaching type must be one of these or an argument its handler walks (`AND`, `create`, ...).
 * @returns the reaching types by name (sorted), and a problem per type no handler covers.
 */
export function analyzeInputTypes(
  schema: DmmfSchema,
  encryptedByModel: ReadonlyMap<string, ReadonlySet<string>>,
  fieldsByModel: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): { inputTypes: Record<string, InputTypeInfo>; problems: SchemaProblem[] } {
  const types = schema.inputObjectTypes.prisma ?? [];
  const reaching = new Set<string>();
  for (const type of types) {
    const encrypted = encryptedByModel.get(type.meta?.grouping ?? "");
    if (encrypted !== undefined && type.fields.some((f) => encrypted.has(f.name))) reaching.add(type.name);
  }
  const leadsOn = (field: DmmfInputField) =>
    field.inputTypes
      .filter((t) => t.location === "inputObjectTypes" && reaching.has(t.type))
      .map((t) => t.type);
  for (let changed = true; changed; ) {
    changed = false;
    for (const type of types) {
      if (!reaching.has(type.name) && type.fields.some((f) => leadsOn(f).length > 0)) {
        reaching.add(type.name);
        changed = true;
      }
    }
  }
  const inputTypes: Record<string, InputTypeInfo> = {};
  const problems: SchemaProblem[] = [];
  for (const type of [...types].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!reaching.has(type.name)) continue;
    const model = type.meta?.grouping;
    const handler = model === undefined ? undefined : handlerOf(model, type.name);
    if (model === undefined || handler === undefined) {
      problems.push({
        location: model ?? type.name,
        message:
          `Prisma input type ${type.name} reaches an encrypted field, but prisma-ncp-kms has no handler ` +
          "for it (a newer Prisma version?): values passed through it could be written unencrypted, so " +
          "generation stops; upgrade prisma-ncp-kms or report it",
      });
      continue;
    }
    const encrypted = encryptedByModel.get(model);
    const modelFields = fieldsByModel.get(model);
    const fields: Record<string, "encrypted" | readonly string[]> = {};
    for (const field of type.fields) {
      if (encrypted?.has(field.name)) fields[field.name] = "encrypted";
      else {
        const leads = leadsOn(field);
        if (leads.length === 0) continue;
        fields[field.name] = leads;
        const handled = HANDLED_ARGUMENTS[handler].has(field.name) || modelFields?.has(field.name) === true;
        if (!handled && modelFields !== undefined) {
          problems.push({
            location: model,
            message:
              `argument "${field.name}" of Prisma input type ${type.name} leads to an encrypted field, ` +
              `but the ${handler} walk does not handle it (a newer Prisma version?); generation stops ` +
              "so it cannot pass values unencrypted; upgrade prisma-ncp-kms or report it",
          });
        }
      }
    }
    inputTypes[type.name] = { model, handler, fields };
  }
  return { inputTypes, problems };
}
