/**
 * Public entry of the schema layer: the annotation parser, the map builder
 * and the map types. The generator itself lives in `./generator.js`
 * (package export `prisma-ncp-kms/generator`).
 */
export {
  type AnnotationParseResult,
  type EncryptedAnnotation,
  parseEncryptedAnnotation,
} from "./annotations.js";
export { analyzeDatamodel, buildEncryptionMap, type EncryptionMapAnalysis } from "./build-map.js";
export type { Datamodel, DatamodelCompound, DatamodelField, DatamodelModel } from "./datamodel.js";
export { DEFAULT_KEY, DEFAULT_SEARCHABLE_KEY } from "./encrypted-field.js";
export { SchemaAnnotationError, type SchemaProblem } from "./errors.js";
export type {
  DmmfInputField,
  DmmfInputType,
  DmmfSchema,
  InputHandler,
  InputTypeInfo,
} from "./input-types.js";
export type { EncryptedField, EncryptedFieldType, EncryptionMap, ModelInfo, RelationField } from "./map.js";
