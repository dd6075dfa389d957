/**
 * The root of every error this library throws, and the one list of their codes.
 *
 * Each subclass has a stable `code` (e.g. `KMS_THROTTLED`) that callers can
 * switch on; messages are for humans and may change. No error ever carries a
 * secret: access keys, secret keys, tokens, plaintexts and contexts are never
 * put into a message or a property.
 */

/** Codes of the KMS client's errors (`prisma-ncp-kms/kms`). */
export type KmsErrorCode =
  | "KMS_UNAUTHORIZED"
  | "KMS_FORBIDDEN"
  | "KMS_NOT_FOUND"
  | "KMS_BAD_REQUEST"
  | "KMS_INVALID_STATUS"
  | "KMS_THROTTLED"
  | "KMS_SERVER_ERROR"
  | "KMS_TIMEOUT"
  | "KMS_CONNECTION"
  | "KMS_INVALID_RESPONSE"
  | "KMS_RESPONSE_TOO_LARGE"
  | "KMS_VALUE_TOO_LARGE"
  | "KMS_QUOTA_WAIT_TIMEOUT"
  | "KMS_LIMITER_UNAVAILABLE"
  | "KMS_INVALID_OPTION";

/** Codes of the Prisma extension's errors. */
export type EncryptionErrorCode =
  | "ENCRYPTION_CONFIG_INVALID"
  | "ENCRYPTION_UNSUPPORTED_QUERY"
  | "ENCRYPTION_INVALID_VALUE"
  | "ENCRYPTION_FAILED"
  | "ENCRYPTION_KEY_INVALID"
  | "KMS_OUTPUT_INVALID"
  | "ENCRYPTION_AMBIGUOUS_INPUT"
  | "ENCRYPTION_VALUE_NOT_SEALED"
  | "DECRYPTION_FAILED"
  | "DECRYPTION_WRONG_COLUMN"
  | "DECRYPTION_WRONG_TYPE"
  | "DECRYPTION_MALFORMED"
  | "PLAINTEXT_NOT_ALLOWED";

/** Codes of the schema generator's errors. */
export type SchemaErrorCode = "SCHEMA_INVALID_ANNOTATION";

/** Codes of the migration engine's errors. */
export type MigrateErrorCode =
  | "MIGRATE_INVALID_OPTION"
  | "MIGRATE_UNKNOWN_TARGET"
  | "MIGRATE_CHECKPOINT_EXISTS"
  | "MIGRATE_CHECKPOINT_INVALID"
  | "MIGRATE_KEY_PROBE_FAILED"
  | "MIGRATE_CLIENT"
  | "MIGRATE_CLIENT_EXTENDED"
  | "MIGRATE_MAP_INCOMPLETE"
  | "MIGRATE_ADAPTER_UNSUPPORTED"
  | "MIGRATE_INTERNAL";

/** Codes of the CLI's own errors. */
export type CliErrorCode = "CLI_CONFIG";

/**
 * The NCP KMS response codes the emulator answers with (its in-process API,
 * e.g. `emulator.rotateKey`, throws them too).
 */
export const NCP_RESPONSE_CODES = [
  "INVALID_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_STATUS",
  "TOO_MANY_REQUESTS",
  "INTERNAL_SERVER_ERROR",
] as const;

/** One of {@link NCP_RESPONSE_CODES}. */
export type NcpResponseCode = (typeof NCP_RESPONSE_CODES)[number];

/** Codes of the emulator's errors. */
export type EmulatorErrorCode = "EMULATOR_INVALID_OPTION" | "EMULATOR_DATA_FILE" | NcpResponseCode;

/**
 * Every `code` an {@link NcpKmsError} can have. Switch on it with type
 * checking; a new code is added here, so a `switch` with a `never` default
 * tells you when there is one you do not handle.
 *
 * @example
 * ```ts
 * try {
 *   await prisma.user.create({ data });
 * } catch (error) {
 *   if (!isNcpKmsError(error)) throw error;
 *   switch (error.code) {
 *     case "KMS_THROTTLED":
 *     case "KMS_QUOTA_WAIT_TIMEOUT":
 *       return retryLater();
 *     case "KMS_LIMITER_UNAVAILABLE":
 *       return alertOps("Redis limiter down");
 *     default:
 *       throw error;
 *   }
 * }
 * ```
 */
export type NcpKmsErrorCode =
  | KmsErrorCode
  | EncryptionErrorCode
  | SchemaErrorCode
  | MigrateErrorCode
  | CliErrorCode
  | EmulatorErrorCode;

/**
 * Base class of every error this library throws. `Code` defaults to
 * {@link NcpKmsErrorCode}, so the library's own subclasses can only use
 * listed codes; an app subclassing it with codes of its own names them:
 * `class MyError extends NcpKmsError<"MY_CODE"> {}`.
 */
export class NcpKmsError<Code extends string = NcpKmsErrorCode> extends Error {
  /** Stable, machine-readable error code; one of {@link NcpKmsErrorCode} for the library's errors. */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

const brand = Symbol.for("prisma-ncp-kms.error");
Object.defineProperty(NcpKmsError.prototype, brand, { value: true });

/**
 * `true` for any error thrown by this library, even when two copies of the
 * package are loaded (where `instanceof` would fail).
 */
export function isNcpKmsError(error: unknown): error is NcpKmsError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
