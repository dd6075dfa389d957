import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { unauthorized } from "./errors.js";
import type { EmulatorCredentials } from "./types.js";

/** Which API Gateway signature a route demands. */
export type SignatureVersion = 1 | 2;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // Length is not secret (base64 of a SHA-256 HMAC is always 44 chars); the
  // content comparison is constant-time.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The string the client signs; `pathWithQuery` is the request target exactly as sent. */
export function stringToSign(
  version: SignatureVersion,
  method: string,
  pathWithQuery: string,
  timestamp: string,
  accessKey: string,
  apiGatewayKey: string,
): string {
  return version === 1
    ? `${method} ${pathWithQuery}\n${timestamp}\n${apiGatewayKey}\n${accessKey}`
    : `${method} ${pathWithQuery}\n${timestamp}\n${accessKey}`;
}

/**
 * Checks NCP API Gateway signature v1 or v2 (account auth). Throws 401 for a
 * missing header, a timestamp outside the skew window, an unknown access or
 * API key, or a wrong signature. Messages name headers, never their values.
 */
export function checkSignature(
  version: SignatureVersion,
  method: string,
  pathWithQuery: string,
  headers: IncomingHttpHeaders,
  credentials: EmulatorCredentials,
  nowMs: number,
  skewMs: number,
): void {
  const timestamp = header(headers, "x-ncp-apigw-timestamp");
  const accessKey = header(headers, "x-ncp-iam-access-key");
  const signatureHeader = version === 1 ? "x-ncp-apigw-signature-v1" : "x-ncp-apigw-signature-v2";
  const signature = header(headers, signatureHeader);
  if (timestamp === undefined) throw unauthorized("missing x-ncp-apigw-timestamp header");
  if (accessKey === undefined) throw unauthorized("missing x-ncp-iam-access-key header");
  if (signature === undefined) throw unauthorized(`missing ${signatureHeader} header`);
  if (!/^\d{1,16}$/.test(timestamp)) throw unauthorized("x-ncp-apigw-timestamp must be epoch milliseconds");
  if (Math.abs(nowMs - Number(timestamp)) > skewMs) {
    throw unauthorized("x-ncp-apigw-timestamp is too far from server time");
  }
  let apiGatewayKey = "";
  if (version === 1) {
    const given = header(headers, "x-ncp-apigw-api-key");
    if (given === undefined) throw unauthorized("missing x-ncp-apigw-api-key header");
    if (!sameText(given, credentials.apiGatewayKey)) throw unauthorized("unknown API Gateway API key");
    apiGatewayKey = given;
  }
  if (!sameText(accessKey, credentials.accessKey)) throw unauthorized("unknown access key");
  const expected = createHmac("sha256", credentials.secretKey)
    .update(stringToSign(version, method, pathWithQuery, timestamp, accessKey, apiGatewayKey))
    .digest("base64");
  if (!sameText(signature, expected)) throw unauthorized("signature does not match");
}
