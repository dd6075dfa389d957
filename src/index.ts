/**
 * prisma-ncp-kms: transparent field-level encryption for Prisma 7, backed by
 * NAVER Cloud Platform KMS.
 *
 * @example
 * ```ts
 * import { createKmsClient, ncpKmsEncryption } from "prisma-ncp-kms";
 * import { encryptionMap } from "./generated/encryption/index.js";
 *
 * const kms = createKmsClient({ auth: { type: "signature", accessKey, secretKey } });
 * const prisma = new PrismaClient({ adapter }).$extends(
 *   ncpKmsEncryption({ map: encryptionMap, kms, keys: { default: keyTag, searchable: convergentKeyTag } }),
 * );
 * ```
 */
export { isNcpKmsError, NcpKmsError } from "./errors.js";
export * from "./extension/index.js";
export {
  createKmsClient,
  type KmsClient,
  type KmsClientOptions,
  type KmsCrypto,
  type Settled,
} from "./kms/index.js";
export type {
  EncryptedField,
  EncryptedFieldType,
  EncryptionMap,
  ModelInfo,
  RelationField,
} from "./schema/map.js";
