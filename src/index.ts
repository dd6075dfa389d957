/**
 * prisma-ncp-kms: transparent field-level encryption for Prisma 7, backed by
 * NAVER Cloud Platform KMS.
 *
 * @example
 * ```ts
 * import { createKmsClientFromEnv, kmsKeysFromEnv, ncpKmsEncryption } from "prisma-ncp-kms";
 * import { encryptionMap } from "./generated/encryption/index.js";
 *
 * // NCP_KMS_ENDPOINT, NCP_ACCESS_KEY, NCP_SECRET_KEY; NCP_KMS_KEYS=default=<tag>,searchable=<tag>
 * const kms = createKmsClientFromEnv();
 * const prisma = new PrismaClient({ adapter }).$extends(
 *   ncpKmsEncryption({ map: encryptionMap, kms, keys: kmsKeysFromEnv() }),
 * );
 * ```
 */
export { isNcpKmsError, NcpKmsError, type NcpKmsErrorCode } from "./errors.js";
export * from "./extension/index.js";
export {
  createKmsClient,
  createKmsClientFromEnv,
  type KmsClient,
  type KmsClientOptions,
  type KmsCrypto,
  type KmsEnv,
  kmsKeysFromEnv,
  kmsOptionsFromEnv,
  parseKeyTags,
  type Settled,
} from "./kms/index.js";
export type {
  EncryptedField,
  EncryptedFieldType,
  EncryptionMap,
  ModelInfo,
  RelationField,
} from "./schema/map.js";
