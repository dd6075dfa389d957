/**
 * Maps an error thrown while handling a request to an HTTP status and a
 * stable code. The response carries the code only: library messages name
 * models and fields, and a database error may quote a value, so neither is
 * sent to the client.
 */
// An app imports this from "prisma-ncp-kms".
import { isNcpKmsError } from "../../src/index.js";

export interface ErrorResponse {
  status: number;
  /** Stable code for the client (and the log line). */
  code: string;
}

// The KMS failed or refused (quota, network, credentials, key state): the
// request may succeed later, and the fault is upstream, hence 502.
function isUpstreamFailure(code: string): boolean {
  if (code === "KMS_INVALID_OPTION") return false;
  return code.startsWith("KMS_") || code === "ENCRYPTION_FAILED" || code === "DECRYPTION_FAILED";
}

function isUniqueViolation(error: unknown): boolean {
  // Prisma's known request errors carry `code`; P2002 is a unique constraint.
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** Status and code for `error`; unknown errors become 500 `INTERNAL_ERROR`. */
export function errorResponse(error: unknown): ErrorResponse {
  if (isNcpKmsError(error)) {
    if (error.code === "ENCRYPTION_INVALID_VALUE") return { status: 400, code: error.code };
    return { status: isUpstreamFailure(error.code) ? 502 : 500, code: error.code };
  }
  if (isUniqueViolation(error)) return { status: 409, code: "EMAIL_TAKEN" };
  return { status: 500, code: "INTERNAL_ERROR" };
}
