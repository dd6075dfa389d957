/**
 * Turns one annotated field into an `EncryptedField`, or says what is wrong
 * with it. Pure; the caller gathers problems from every field.
 */
import type { EncryptedAnnotation } from "./annotations.js";
import type { DatamodelField, DatamodelModel } from "./datamodel.js";
import type { EncryptedField, EncryptedFieldType } from "./map.js";

const SUPPORTED_TYPES: readonly EncryptedFieldType[] = ["String", "Json", "Bytes"];

/** Facts about a field that come from the rest of the model or schema. */
export interface FieldContext {
  /** Part of `@@id`. */
  readonly inCompoundId: boolean;
  /** Part of a compound `@@unique`. */
  readonly inCompoundUnique: boolean;
  /** The relation that uses this column as a foreign key or as a referenced key, if any. */
  readonly relationUse: string | undefined;
}

/** Default key names when the annotation gives no `key:`. */
export const DEFAULT_KEY = "default";
export const DEFAULT_SEARCHABLE_KEY = "searchable";

/** Checks a marked field; returns the map entry, or the problems (messages without the location). */
export function toEncryptedField(
  model: DatamodelModel,
  field: DatamodelField,
  annotation: EncryptedAnnotation,
  context: FieldContext,
): { field: EncryptedField } | { problems: string[] } {
  const problems: string[] = [];
  const type = supportedType(field);
  if (field.kind === "object") {
    problems.push(`@encrypted on a relation field (${field.type}); mark the related model's columns instead`);
  } else if (field.isList) {
    problems.push(`@encrypted on a list (${field.type}[]) is not supported (supported: String, Json, Bytes)`);
  } else if (type === undefined) {
    problems.push(`@encrypted on ${field.type} is not supported (supported: ${SUPPORTED_TYPES.join(", ")})`);
  }
  if (annotation.searchable && field.kind !== "object" && field.type !== "String") {
    problems.push(`searchable is only supported on String fields, not ${field.type}`);
  }
  if (field.isId) problems.push("an @id field cannot be encrypted");
  else if (context.inCompoundId) problems.push("a field of the @@id cannot be encrypted");
  if (context.relationUse !== undefined) {
    problems.push(`${context.relationUse} cannot be encrypted (relations join on the plain value)`);
  }
  if (field.hasDefaultValue === true) {
    problems.push("an encrypted field cannot have @default (the default would be stored unencrypted)");
  }
  if (!annotation.searchable && (field.isUnique || context.inCompoundUnique)) {
    problems.push(
      "a unique field must be @encrypted(searchable): random ciphertexts never collide, so the constraint would enforce nothing",
    );
  }
  if (problems.length > 0 || type === undefined) return { problems };
  return {
    field: {
      name: field.name,
      type,
      searchable: annotation.searchable,
      key: annotation.key ?? (annotation.searchable ? DEFAULT_SEARCHABLE_KEY : DEFAULT_KEY),
      binding: annotation.binding ?? `${model.name}.${field.name}`,
      isRequired: field.isRequired,
      isUnique: field.isUnique,
      dbName: field.dbName ?? field.name,
    },
  };
}

function supportedType(field: DatamodelField): EncryptedFieldType | undefined {
  if (field.kind !== "scalar") return undefined;
  return SUPPORTED_TYPES.find((t) => t === field.type);
}
