import { NcpKmsError, type NcpResponseCode } from "../errors.js";

/**
 * An NCP KMS error response: HTTP `status` plus the contract's response
 * `code` (`INVALID_REQUEST`, `NOT_FOUND`, ...). Thrown inside the emulator
 * and turned into `{ code, msg }`; also thrown by the in-process API (for
 * example `rotateKey` on an unknown key tag). Messages never contain
 * plaintext, contexts, keys or tokens.
 */
export class KmsResponseError extends NcpKmsError {
  /** HTTP status sent for this error. */
  readonly status: number;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: NcpResponseCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}

/** The response code the contract pairs with an HTTP status. */
export function defaultCodeForStatus(status: number): NcpResponseCode {
  switch (status) {
    case 400:
    case 405:
    case 413:
      return "INVALID_REQUEST";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 422:
      return "INVALID_STATUS";
    case 429:
      return "TOO_MANY_REQUESTS";
    default:
      return status >= 500 ? "INTERNAL_SERVER_ERROR" : "INVALID_REQUEST";
  }
}

export const invalidRequest = (message: string): KmsResponseError =>
  new KmsResponseError(400, "INVALID_REQUEST", message);
export const unauthorized = (message: string): KmsResponseError =>
  new KmsResponseError(401, "UNAUTHORIZED", message);
export const forbidden = (message: string): KmsResponseError =>
  new KmsResponseError(403, "FORBIDDEN", message);
export const notFound = (message: string): KmsResponseError =>
  new KmsResponseError(404, "NOT_FOUND", message);
export const invalidStatus = (message: string): KmsResponseError =>
  new KmsResponseError(422, "INVALID_STATUS", message);
