/**
 * The field-crypto core shared by the Prisma extension and the migration
 * engine: the value envelope, grouping by (key, context), checks on what the
 * KMS returns, key checks, and one set of error codes.
 */
export { checkCiphertexts, isWellFormedCiphertext } from "./ciphertext.js";
export { type DecodeOutcome, decodeSettled } from "./decode.js";
export * from "./envelope.js";
export { envelopeProblemCode, KmsOutputInvalidError } from "./errors.js";
export { groupBy, groupId } from "./groups.js";
export {
  checkKeyUse,
  checkKeyUses,
  EncryptionKeyCheckError,
  KeyChecker,
  type KeyCheckKms,
  type KeyProblem,
  type KeyProblemKind,
  type KeyUse,
  keyUsesOf,
} from "./key-check.js";
export { encryptChecked, reencryptSettledChecked } from "./kms-calls.js";
