/**
 * NCP API Gateway request signatures (pure functions, no I/O).
 *
 * v2: `base64(HMAC-SHA256(secretKey, "{METHOD} {path}\n{timestamp}\n{accessKey}"))`.
 * v1: the same with the API Gateway key inserted before the access key.
 */
import { createHmac } from "node:crypto";

/** Account credentials for signed requests. */
export interface SignatureCredentials {
  accessKey: string;
  secretKey: string;
  /** API Gateway API key; required for signature v1 only. */
  apiGatewayKey?: string | undefined;
}

/** Computes the signature over `method`, `pathWithQuery` and `timestamp` (epoch ms). */
export function computeSignature(
  version: 1 | 2,
  credentials: SignatureCredentials,
  method: string,
  pathWithQuery: string,
  timestamp: number,
): string {
  const lines = [`${method.toUpperCase()} ${pathWithQuery}`, String(timestamp)];
  if (version === 1) lines.push(credentials.apiGatewayKey ?? "");
  lines.push(credentials.accessKey);
  return createHmac("sha256", credentials.secretKey).update(lines.join("\n"), "utf8").digest("base64");
}

/** The headers that authenticate one request with an API Gateway signature. */
export function signatureHeaders(
  version: 1 | 2,
  credentials: SignatureCredentials,
  method: string,
  pathWithQuery: string,
  timestamp: number,
): Record<string, string> {
  const signature = computeSignature(version, credentials, method, pathWithQuery, timestamp);
  const headers: Record<string, string> = {
    "x-ncp-apigw-timestamp": String(timestamp),
    "x-ncp-iam-access-key": credentials.accessKey,
  };
  if (version === 1) {
    headers["x-ncp-apigw-api-key"] = credentials.apiGatewayKey ?? "";
    headers["x-ncp-apigw-signature-v1"] = signature;
  } else {
    headers["x-ncp-apigw-signature-v2"] = signature;
  }
  return headers;
}
