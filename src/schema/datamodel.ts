/**
 * The slice of Prisma's DMMF datamodel the map builder reads. Declared here
 * (structurally compatible with `DMMF.Datamodel` from
 * `@prisma/generator-helper` and with `getDMMF()` from `@prisma/internals`)
 * so the builder stays a pure function of plain data.
 */

/** One field of a model, as the DMMF describes it. */
export interface DatamodelField {
  readonly name: string;
  /** `"scalar"`, `"object"` (relation), `"enum"` or `"unsupported"`. */
  readonly kind: string;
  /** Scalar type (`String`, `Int`, `Json`, …), enum name, or related model name. */
  readonly type: string;
  readonly isList: boolean;
  readonly isRequired: boolean;
  readonly isUnique: boolean;
  readonly isId: boolean;
  readonly hasDefaultValue?: boolean;
  readonly isUpdatedAt?: boolean;
  readonly dbName?: string | null;
  readonly relationName?: string | null;
  readonly relationFromFields?: readonly string[] | null;
  readonly relationToFields?: readonly string[] | null;
  /** The `///` comment text without the slashes, lines joined by `\n`. */
  readonly documentation?: string;
}

/** A named compound constraint (`@@id` / `@@unique`); `name` is `null` unless given. */
export interface DatamodelCompound {
  readonly name: string | null;
  readonly fields: readonly string[];
}

/** One model, as the DMMF describes it. */
export interface DatamodelModel {
  readonly name: string;
  readonly dbName?: string | null;
  /** `@@schema("name")` (multi-schema), else `null`. */
  readonly schema?: string | null;
  readonly fields: readonly DatamodelField[];
  readonly primaryKey: DatamodelCompound | null;
  readonly uniqueIndexes: readonly DatamodelCompound[];
  readonly documentation?: string;
}

/** The datamodel: `options.dmmf.datamodel` in a generator. */
export interface Datamodel {
  readonly models: readonly DatamodelModel[];
}
