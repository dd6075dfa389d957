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
  readonly inputTypes: readonly DmmfTypeRef[];
}

/** One type an input field or argument accepts. */
export interface DmmfTypeRef {
  readonly type: string;
  /** `scalar`, `inputObjectTypes`, `enumTypes` or `fieldRefTypes`. */
  readonly location: string;
  readonly isList?: boolean;
}

/** A field of an output object type (`Query.findManyUser`, `User.posts`) and its arguments. */
export interface DmmfOutputField {
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly inputTypes: readonly DmmfTypeRef[] }[];
}

/** An output object type: `Query`, `Mutation` (namespace `prisma`) or a model (namespace `model`). */
export interface DmmfOutputType {
  readonly name: string;
  readonly fields: readonly DmmfOutputField[];
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
  /** `Query`/`Mutation` (root arguments of each operation) and the models (arguments of relation fields). */
  readonly outputObjectTypes?:
    | {
        readonly prisma?: readonly DmmfOutputType[] | undefined;
        readonly model?: readonly DmmfOutputType[] | undefined;
      }
    | undefined;
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
  /**
   * Every field the type allows → the types it accepts ({@link acceptedTypeName}): the full key
   * set and value shapes, so the walk can tell apart two types Prisma accepts at one position.
   * Absent in maps from older generators.
   */
  readonly accepts?: Readonly<Record<string, readonly string[]>>;
}

/** Input argument name → the reaching input types it accepts (list or not). */
export type ArgumentTypes = Readonly<Record<string, readonly string[]>>;

/**
 * How a type an input field accepts is written in {@link InputTypeInfo.accepts}: a scalar by
 * its name (`String`, `Int`, `Null`, ...), an input object type by its name, `enum` for any
 * enum, `fieldRef` for a field reference; `[]` appended for a list of them.
 */
export function acceptedTypeName(ref: DmmfTypeRef): string {
  const base =
    ref.location === "enumTypes" ? "enum" : ref.location === "fieldRefTypes" ? "fieldRef" : ref.type;
  return ref.isList === true ? `${base}[]` : base;
}

/** The DMMF field names (`Query`/`Mutation`) of each client operation, from the model name. */
const OPERATION_FIELDS: Readonly<Record<string, (model: string) => string>> = {
  findUnique: (m) => `findUnique${m}`,
  findUniqueOrThrow: (m) => `findUnique${m}OrThrow`,
  findFirst: (m) => `findFirst${m}`,
  findFirstOrThrow: (m) => `findFirst${m}OrThrow`,
  findMany: (m) => `findMany${m}`,
  create: (m) => `createOne${m}`,
  createMany: (m) => `createMany${m}`,
  createManyAndReturn: (m) => `createMany${m}AndReturn`,
  update: (m) => `updateOne${m}`,
  updateMany: (m) => `updateMany${m}`,
  updateManyAndReturn: (m) => `updateMany${m}AndReturn`,
  upsert: (m) => `upsertOne${m}`,
  delete: (m) => `deleteOne${m}`,
  deleteMany: (m) => `deleteMany${m}`,
  aggregate: (m) => `aggregate${m}`,
  count: (m) => `aggregate${m}`,
  groupBy: (m) => `groupBy${m}`,
};

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

/** What a relation field takes in write data: Prisma's nested-write operations. */
export const NESTED_WRITE_OPERATIONS: ReadonlySet<string> = new Set([
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
]);

/** Argument names (besides the model's own fields) each handler walks into; anything else leading to an encrypted column is unhandled. */
const HANDLED_ARGUMENTS: Readonly<Record<InputHandler, ReadonlySet<string>>> = {
  where: new Set(["AND", "OR", "NOT", "is", "isNot", "some", "every", "none"]),
  data: new Set(),
  nested: new Set([...NESTED_WRITE_OPERATIONS, "where", "data"]),
  orderBy: new Set(["_count", "_min", "_max", "_avg", "_sum", "_relevance"]),
  aggregate: new Set(),
  having: new Set(["AND", "OR", "NOT"]),
};

/** What {@link analyzeInputTypes} finds. */
export interface InputTypeAnalysis {
  readonly inputTypes: Record<string, InputTypeInfo>;
  readonly problems: SchemaProblem[];
  /** Input object types that reaching types accept but that reach nothing (`StringFilter`, ...) → their field names. */
  readonly inputKeys: Record<string, readonly string[]>;
  /** Model → client operation (`create`, `findMany`, ...) → its reaching arguments. */
  readonly operations: Record<string, Record<string, ArgumentTypes>>;
  /** Model → relation field → the reaching arguments it takes in `select`/`include` (`where`, `cursor`). */
  readonly relationArgs: Record<string, Record<string, ArgumentTypes>>;
}

/**
 * The model a type belongs to: its `grouping`, when the name starts with it. Prisma also groups
 * shared operator types under the first model that uses them (`NullableStringFieldUpdateOperationsInput`
 * under `User`); their fields (`set`, `increment`) are operators, never the model's columns.
 */
function modelOf(type: DmmfInputType): string | undefined {
  const grouping = type.meta?.grouping;
  return grouping !== undefined && type.name.startsWith(grouping) ? grouping : undefined;
}

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
 * @returns the reaching types by name (sorted), a problem per type no handler covers, the key
 *   sets of other input types they accept, and the reaching arguments of each operation and
 *   relation field (from the output types `Query`, `Mutation` and the models, when given).
 */
export function analyzeInputTypes(
  schema: DmmfSchema,
  encryptedByModel: ReadonlyMap<string, ReadonlySet<string>>,
  fieldsByModel: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): InputTypeAnalysis {
  const types = schema.inputObjectTypes.prisma ?? [];
  const acceptedOthers = new Set<string>();
  const reaching = new Set<string>();
  for (const type of types) {
    const encrypted = encryptedByModel.get(modelOf(type) ?? "");
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
    const model = modelOf(type);
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
    const accepts: Record<string, readonly string[]> = {};
    for (const field of type.fields) {
      accepts[field.name] = field.inputTypes.map(acceptedTypeName);
      for (const ref of field.inputTypes) {
        if (ref.location === "inputObjectTypes" && !reaching.has(ref.type)) acceptedOthers.add(ref.type);
      }
      const leads = leadsOn(field);
      // A relation filter's `is` or a nested write's `data` leads on even where the model has a column of that name.
      if (encrypted?.has(field.name) && leads.length === 0 && handler !== "nested")
        fields[field.name] = "encrypted";
      else {
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
    inputTypes[type.name] = { model, handler, fields, accepts };
  }
  const inputKeys: Record<string, readonly string[]> = {};
  for (const type of [...types].sort((a, b) => a.name.localeCompare(b.name))) {
    if (acceptedOthers.has(type.name)) inputKeys[type.name] = type.fields.map((f) => f.name);
  }
  const reachingArgs = (args: DmmfOutputField["args"]) => {
    const found: Record<string, readonly string[]> = {};
    for (const arg of args) {
      const leads = [
        ...new Set(
          arg.inputTypes
            .filter((t) => t.location === "inputObjectTypes" && reaching.has(t.type))
            .map((t) => t.type),
        ),
      ];
      if (leads.length > 0) found[arg.name] = leads;
    }
    return found;
  };
  const operations: Record<string, Record<string, ArgumentTypes>> = {};
  const rootFields = new Map<string, DmmfOutputField>();
  for (const root of schema.outputObjectTypes?.prisma ?? []) {
    if (root.name === "Query" || root.name === "Mutation")
      for (const field of root.fields) rootFields.set(field.name, field);
  }
  const relationArgs: Record<string, Record<string, ArgumentTypes>> = {};
  const outputModels = new Map((schema.outputObjectTypes?.model ?? []).map((t) => [t.name, t] as const));
  for (const model of [...encryptedByModel.keys()].sort()) {
    const perOperation: Record<string, ArgumentTypes> = {};
    for (const [operation, fieldName] of Object.entries(OPERATION_FIELDS)) {
      const field = rootFields.get(fieldName(model));
      if (field === undefined) continue;
      // Kept even when empty: an operation missing here is one the walk does not know.
      perOperation[operation] = reachingArgs(field.args);
    }
    if (Object.values(perOperation).some((args) => Object.keys(args).length > 0))
      operations[model] = perOperation;
    const perRelation: Record<string, ArgumentTypes> = {};
    for (const field of outputModels.get(model)?.fields ?? []) {
      const args = reachingArgs(field.args);
      if (Object.keys(args).length > 0) perRelation[field.name] = args;
    }
    if (Object.keys(perRelation).length > 0) relationArgs[model] = perRelation;
  }
  return { inputTypes, problems, inputKeys, operations, relationArgs };
}
