/**
 * The encryption map: what the generator emits at `prisma generate` time from
 * the `/// @encrypted` annotations and the full DMMF, and what the extension
 * and the migration engine read at runtime. Plain data, JSON-serialisable.
 */
import type { ArgumentTypes, InputTypeInfo } from "./input-types.js";

/** Prisma scalar types that may be marked `@encrypted`. */
export type EncryptedFieldType = "String" | "Json" | "Bytes";

/** One marked column. */
export interface EncryptedField {
  readonly name: string;
  readonly type: EncryptedFieldType;
  /** `@encrypted(searchable)`: convergent key + per-column context; equality filters work. */
  readonly searchable: boolean;
  /** Key name in the extension config (`keys`); `"default"`, or `"searchable"` for searchable fields, unless `key:` names one. */
  readonly key: string;
  /**
   * Column identity bound into every ciphertext (binding tag) and, for
   * searchable fields, the source of the convergent context. `"Model.field"`
   * unless `binding:` pins it, so renaming a model or field does not orphan
   * existing ciphertexts.
   */
  readonly binding: string;
  readonly isRequired: boolean;
  readonly isUnique: boolean;
  /** Database column name (`@map`), or the field name. Filled by the generator; for raw SQL (migration). */
  readonly dbName?: string;
}

/** A relation field: how the walk reaches nested models. */
export interface RelationField {
  readonly name: string;
  /** Target model name. */
  readonly model: string;
  readonly isList: boolean;
}

export interface ModelInfo {
  readonly name: string;
  /** Database table name (`@@map`), or the model name. Filled by the generator; for raw SQL (migration). */
  readonly dbName?: string;
  /** Database schema (`@@schema`, PostgreSQL multi-schema), when the model names one. For raw SQL (migration). */
  readonly dbSchema?: string;
  /** Primary key field names, in order (one for `@id`, several for `@@id`). */
  readonly idFields: readonly string[];
  /** Database column names (`@map`) of `idFields`, same order. Filled by the generator; for raw SQL (migration). */
  readonly idColumns?: readonly string[];
  /** Every unique constraint (single `@unique` and compound `@@unique`), field names in order. */
  readonly uniqueFields: readonly (readonly string[])[];
  /** Compound unique/id selectors as Prisma names them in `where` (e.g. `title_authorId`) → their fields. */
  readonly compoundSelectors: Readonly<Record<string, readonly string[]>>;
  /** Marked fields by name. */
  readonly encrypted: Readonly<Record<string, EncryptedField>>;
  /** Every relation field by name. */
  readonly relations: Readonly<Record<string, RelationField>>;
  /** Scalar field names (to tell a scalar from a relation when walking). */
  readonly scalars: readonly string[];
  /**
   * Prisma type of each scalar field (`String`, `Int`, `Json`, ...; `enum` for
   * enums): lets the walk tell a field from an argument of the same name by
   * the value's shape. Absent in maps from older generators.
   */
  readonly scalarTypes?: Readonly<Record<string, string>>;
  /** `true` when the model has an encrypted field or can reach one through relations. */
  readonly reachesEncrypted: boolean;
}

export interface EncryptionMap {
  readonly version: 1;
  readonly models: Readonly<Record<string, ModelInfo>>;
  /**
   * Per Prisma input type that reaches an encrypted column (`UserWhereInput`,
   * `PostUpdateWithoutAuthorInput`, ...): its model, the walk handler it
   * belongs to, and the fields that lead to encrypted columns. Filled by the
   * generator from the DMMF; absent in hand-built maps and older ones.
   */
  readonly inputTypes?: Readonly<Record<string, InputTypeInfo>>;
  /** Input object types that reaching input types accept but that reach nothing (`StringFilter`, ...) → their field names. */
  readonly inputKeys?: Readonly<Record<string, readonly string[]>>;
  /**
   * Model → client operation → its arguments that reach an encrypted column → their input types
   * (`User.create.data` → `UserCreateInput`, `UserUncheckedCreateInput`): where the walk starts.
   */
  readonly operations?: Readonly<Record<string, Readonly<Record<string, ArgumentTypes>>>>;
  /** Model → relation field → its reaching arguments in `select`/`include` (`where`, `cursor`). */
  readonly relationArgs?: Readonly<Record<string, Readonly<Record<string, ArgumentTypes>>>>;
}
