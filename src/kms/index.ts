/**
 * Public entry of the NCP KMS client (`prisma-ncp-kms/kms`).
 */

export {
  isNcpKmsError,
  type KmsErrorCode,
  NcpKmsError,
  type NcpKmsErrorCode,
} from "../errors.js";
export {
  type ContextOption,
  type CreateKeyInput,
  createKmsClient,
  isKmsKeyType,
  type KmsClient,
  type KmsKeyType,
  type TokenHours,
} from "./client.js";
export type { Scheduler } from "./coalescer.js";
export * from "./errors.js";
export type { KmsCounters, KmsEvent, KmsLogger } from "./events.js";
export {
  createKmsClientFromEnv,
  type KmsEnv,
  kmsKeysFromEnv,
  kmsOptionsFromEnv,
  parseKeyTags,
} from "./from-env.js";
export type { AccountCredentials, KmsClientOptions, SignatureAuth, TokenAuth } from "./options.js";
export {
  createLocalRateLimiter,
  type LocalRateLimiterOptions,
  type RateLimiter,
  type Reservation,
} from "./rate-limiter.js";
export {
  createRedisRateLimiter,
  type RedisEvalClient,
  type RedisRateLimiterOptions,
} from "./redis-limiter.js";
export {
  createDefaultRetryPolicy,
  type RetryPolicy,
  type RetryPolicyFunction,
  type RetryRequest,
  safeToRepeat,
} from "./retry.js";
export type { KeyInfo } from "./schemas.js";
export { computeSignature, signatureHeaders } from "./signing.js";
export type { KeyTokens } from "./token-auth.js";
export type { KmsCrypto, Settled } from "./types.js";
