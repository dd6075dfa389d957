/**
 * Every error the KMS client throws. Messages name the action, key tag, HTTP
 * status, NCP code and attempt count — never an access key, secret key,
 * token, plaintext, context or request body (key tags are not secret: NCP
 * says so).
 */
import { type KmsErrorCode, NcpKmsError } from "../errors.js";

/** Where a KMS error happened; all fields are safe to log. */
export interface KmsErrorDetails {
  /** The KMS action, e.g. `encrypt`, `re-encrypt`, `token-set`. */
  action: string;
  /** The key tag the request addressed, if any. */
  keyTag?: string;
  /** HTTP status of the last response, if one arrived. */
  status?: number;
  /** NCP's `code` from the last error body, e.g. `INVALID_REQUEST`. */
  ncpCode?: string;
  /** How many HTTP attempts were made (1 = no retry). */
  attempts?: number;
  /** Server-requested wait before retrying (from `Retry-After`), in ms. */
  retryAfterMs?: number | undefined;
  /** `true` when the request surely never reached the server (connection refused, DNS failure). */
  requestNotSent?: boolean;
  cause?: unknown;
}

function describe(summary: string, d: KmsErrorDetails): string {
  const parts = [`action=${d.action}`];
  if (d.keyTag !== undefined) parts.push(`keyTag=${d.keyTag}`);
  if (d.status !== undefined) parts.push(`status=${d.status}`);
  if (d.ncpCode !== undefined) parts.push(`ncpCode=${d.ncpCode}`);
  if (d.attempts !== undefined) parts.push(`attempts=${d.attempts}`);
  return `${summary} (${parts.join(", ")})`;
}

/** Base class of every error raised while talking to the KMS. */
export class KmsError extends NcpKmsError<KmsErrorCode> {
  readonly action: string;
  readonly keyTag: string | undefined;
  readonly status: number | undefined;
  readonly ncpCode: string | undefined;
  /** Mutable so the retry layer can record the final count. */
  attempts: number;
  readonly retryAfterMs: number | undefined;
  /**
   * `true` when the request surely never reached the server (the connection
   * was refused or the host did not resolve), so even a call that changes
   * state may be sent again. `false` when it may have arrived.
   */
  readonly requestNotSent: boolean;

  constructor(code: KmsErrorCode, summary: string, details: KmsErrorDetails) {
    super(
      code,
      describe(summary, details),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.action = details.action;
    this.keyTag = details.keyTag;
    this.status = details.status;
    this.ncpCode = details.ncpCode;
    this.attempts = details.attempts ?? 1;
    this.retryAfterMs = details.retryAfterMs;
    this.requestNotSent = details.requestNotSent ?? false;
  }

  /** Whether another attempt might succeed (429, 5xx, timeouts, dropped connections). */
  get retryable(): boolean {
    return false;
  }

  /** Re-renders the message after `attempts` changed. */
  withAttempts(attempts: number): this {
    this.attempts = attempts;
    this.message = describe(this.message.replace(/ \(action=.*\)$/, ""), this);
    return this;
  }
}

/** 401: bad signature, stale timestamp, unknown access key, expired or revoked token. */
export class KmsUnauthorizedError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_UNAUTHORIZED", "KMS rejected the credentials", d);
  }
}

/** 403: token for another key, IP not on the key's ACL, missing permission. */
export class KmsForbiddenError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_FORBIDDEN", "KMS refused access", d);
  }
}

/** 404: unknown key tag, or a ciphertext naming a key version that does not exist. */
export class KmsNotFoundError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_NOT_FOUND", "KMS key or key version not found", d);
  }
}

/** 400 or another 4xx: malformed request, tampered ciphertext, wrong or missing context. */
export class KmsBadRequestError extends KmsError {
  constructor(d: KmsErrorDetails, summary = "KMS rejected the request") {
    super("KMS_BAD_REQUEST", summary, d);
  }
}

/** 422: the key is disabled or pending deletion. */
export class KmsInvalidStatusError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_INVALID_STATUS", "KMS key is not in a usable state", d);
  }
}

/** 429 that persisted through every retry. */
export class KmsThrottledError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_THROTTLED", "KMS quota exceeded (HTTP 429)", d);
  }
  override get retryable(): boolean {
    return true;
  }
}

/** 5xx that persisted through every retry. */
export class KmsServerError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_SERVER_ERROR", "KMS server error", d);
  }
  override get retryable(): boolean {
    return true;
  }
}

/** No response within `timeoutMs`. */
export class KmsTimeoutError extends KmsError {
  constructor(d: KmsErrorDetails & { timeoutMs: number }) {
    super("KMS_TIMEOUT", `KMS request timed out after ${d.timeoutMs} ms`, d);
  }
  override get retryable(): boolean {
    return true;
  }
}

/** The connection failed or was dropped before a response arrived. */
export class KmsConnectionError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_CONNECTION", "KMS connection failed", d);
  }
  override get retryable(): boolean {
    return true;
  }
}

/** The response did not have the documented shape (or an array of the wrong length). */
export class KmsInvalidResponseError extends KmsError {
  constructor(d: KmsErrorDetails, problem: string) {
    super("KMS_INVALID_RESPONSE", `KMS response has an unexpected shape: ${problem}`, d);
  }
}

/** The response body exceeded `maxResponseBytes`; the client stopped reading and closed the connection. */
export class KmsResponseTooLargeError extends KmsError {
  readonly limitBytes: number;
  constructor(d: KmsErrorDetails & { limitBytes: number }) {
    super("KMS_RESPONSE_TOO_LARGE", `KMS response body exceeds maxResponseBytes=${d.limitBytes}`, d);
    this.limitBytes = d.limitBytes;
  }
}

/** A single value exceeds the per-request limit; raised before any request is sent. */
export class KmsValueTooLargeError extends KmsError {
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(d: KmsErrorDetails & { sizeBytes: number; limitBytes: number }) {
    super(
      "KMS_VALUE_TOO_LARGE",
      `value of ${d.sizeBytes} bytes exceeds the ${d.limitBytes}-byte request limit`,
      {
        ...d,
        attempts: 0,
      },
    );
    this.sizeBytes = d.sizeBytes;
    this.limitBytes = d.limitBytes;
  }
}

/** The rate limiter could not grant a slot within `maxWaitMs`. */
export class KmsQuotaWaitTimeoutError extends KmsError {
  constructor(d: KmsErrorDetails & { waitMs: number; maxWaitMs: number }) {
    super(
      "KMS_QUOTA_WAIT_TIMEOUT",
      `rate limiter would wait ${Math.round(d.waitMs)} ms, over maxWaitMs=${d.maxWaitMs}`,
      d,
    );
  }
}

/**
 * The rate limiter's shared store (Redis) failed or did not answer in time,
 * so no slot could be granted and nothing was sent to the KMS. Configure
 * `fallback` on `createRedisRateLimiter` to keep serving from a local bucket.
 */
export class KmsLimiterUnavailableError extends KmsError {
  constructor(d: KmsErrorDetails) {
    super("KMS_LIMITER_UNAVAILABLE", "rate limiter unavailable (shared store failed)", {
      ...d,
      attempts: d.attempts ?? 0,
      requestNotSent: true,
    });
  }
}

/** A client option is invalid. Names the option and the value's type, never the value. */
export class KmsInvalidOptionError extends NcpKmsError {
  readonly option: string;
  constructor(option: string, problem: string) {
    super("KMS_INVALID_OPTION", `Invalid KMS client option \`${option}\`: ${problem}`);
    this.option = option;
  }
}

/** Maps an HTTP error status to the error class for it. */
export function errorForStatus(status: number, d: KmsErrorDetails): KmsError {
  const details = { ...d, status };
  if (status === 401) return new KmsUnauthorizedError(details);
  if (status === 403) return new KmsForbiddenError(details);
  if (status === 404) return new KmsNotFoundError(details);
  if (status === 422) return new KmsInvalidStatusError(details);
  if (status === 429) return new KmsThrottledError(details);
  if (status >= 500) return new KmsServerError(details);
  return new KmsBadRequestError(details);
}
