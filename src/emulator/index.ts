/**
 * The local NCP KMS emulator: the same HTTP API as NAVER Cloud Platform KMS
 * (API 1.0 and 2.0, signatures and tokens), for development and tests.
 * See README.md in this folder for routes and the choices marked [ours].
 */

export { ADMIN_PREFIX } from "./admin-routes.js";
export { EmulatorDataFileError } from "./data-file.js";
export { startEmulator } from "./emulator.js";
export { KmsResponseError } from "./errors.js";
export { EmulatorOptionError } from "./options.js";
export type {
  CreateKeyOptions,
  EmulatorCredentials,
  EmulatorFaults,
  EmulatorOptions,
  EmulatorStats,
  FailFractionOptions,
  FailNextOptions,
  KeyInfo,
  KeyStatus,
  KeyType,
  RunningEmulator,
} from "./types.js";
