/**
 * The Prisma client extension (`ncpKmsEncryption`), its options, errors and
 * the marker returned for undecryptable values.
 */

export {
  EncryptionKeyCheckError,
  type KeyProblem,
  type KeyProblemKind,
  KmsOutputInvalidError,
} from "../field-crypto/index.js";
export type { NcpKmsEncryptionOptions } from "./config.js";
export {
  AmbiguousInputError,
  DecryptionFailedError,
  DecryptionWrongColumnError,
  EncryptionConfigError,
  EncryptionFailedError,
  InvalidFieldValueError,
  PlaintextNotAllowedError,
  type RowId,
  UnencryptedValueError,
  UnsupportedQueryError,
} from "./errors.js";
export type { EncryptionEvent, PlaintextReadEvent } from "./events.js";
export { type NcpKmsEncryptionExtension, ncpKmsEncryption } from "./extension.js";
export { isUndecryptable, UndecryptableValue } from "./undecryptable.js";
export { type VerifyEncryptionKeysOptions, verifyEncryptionKeys } from "./verify-keys.js";
