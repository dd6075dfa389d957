/**
 * The Prisma client extension (`ncpKmsEncryption`), its options (and the
 * cache behind its `cache` option), errors and the marker returned for
 * undecryptable values.
 */

export {
  createKmsCache,
  KmsCache,
  type KmsCacheEvent,
  KmsCacheOptionError,
  type KmsCacheOptions,
  type KmsCacheStats,
} from "../field-crypto/cache/index.js";
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
