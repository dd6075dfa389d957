/**
 * What the client reports about itself: counters, events for metrics, and
 * the opt-in debug logger. Every field here is safe to log (key tags are not
 * secret); none holds a credential, token, plaintext or context.
 */

/** Opt-in debug logger. */
export interface KmsLogger {
  debug(message: string, fields: Record<string, unknown>): void;
}

/** Running totals since the client was created. */
export interface KmsCounters {
  /** Public method calls (`encryptMany`, `sign`, ...). */
  calls: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Values carried by successful crypto requests. */
  values: number;
  /** Decoded bytes of plaintext sent (encrypt) or received (decrypt). */
  bytes: number;
  /** Retries after a retryable failure. */
  retries: number;
  /** HTTP 429 responses received. */
  throttled: number;
  /** Requests that had to wait for the rate limiter. */
  waits: number;
  /** Total ms spent waiting for the rate limiter. */
  waitMs: number;
  /** Requests that ended in an error response or a transport failure. */
  errors: number;
}

/** One thing the client did, for metrics hooks. */
export type KmsEvent =
  | {
      type: "request";
      action: string;
      keyTag: string | undefined;
      /** Items in the array request (1 for single-value actions). */
      items: number;
      /** HTTP status, or `undefined` when no response arrived. */
      status: number | undefined;
      /** Attempt number, from 1. */
      attempt: number;
      durationMs: number;
    }
  | {
      type: "retry";
      action: string;
      keyTag: string | undefined;
      attempt: number;
      delayMs: number;
      code: string;
    }
  | { type: "wait"; bucket: string; waitMs: number }
  | { type: "throttled"; action: string; keyTag: string | undefined; retryAfterMs: number | undefined }
  | {
      /**
       * An access-token renewal ended. `background`: an early refresh while the
       * current token still served (its failure failed no call; it is tried
       * again after a pause). `code` is the error's code when `ok` is false.
       */
      type: "token-refresh";
      keyTag: string;
      ok: boolean;
      background: boolean;
      code: string | undefined;
    }
  | {
      /**
       * An `onEvent` listener or the `logger` threw. Reported once per hook;
       * the KMS call it was reporting on is unaffected. `error` is what the
       * hook threw (the app's own error object).
       */
      type: "error";
      source: "listener" | "logger";
      error: unknown;
    };

export function emptyCounters(): KmsCounters {
  return {
    calls: 0,
    requests: 0,
    values: 0,
    bytes: 0,
    retries: 0,
    throttled: 0,
    waits: 0,
    waitMs: 0,
    errors: 0,
  };
}
