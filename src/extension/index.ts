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
export type { NcpKmsEncryptionOptions } from "./config.js";
export {
  DecryptionFailedError,
  DecryptionWrongColumnError,
  EncryptionConfigError,
  EncryptionFailedError,
  InvalidFieldValueError,
  PlaintextNotAllowedError,
  type RowId,
  UnsupportedQueryError,
} from "./errors.js";
export { type NcpKmsEncryptionExtension, ncpKmsEncryption } from "./extension.js";
export { isUndecryptable, UndecryptableValue } from "./undecryptable.js";
