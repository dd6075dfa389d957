/**
 * A tiny test-only NCP client: signs requests (v1, v2) or sends a token, and
 * returns status, headers and parsed JSON. Deliberately independent of
 * `src/kms/` so the emulator is checked against the contract, not against
 * our own client.
 */
import { createHmac } from "node:crypto";
import { type Dispatcher, request } from "undici";
import type { EmulatorCredentials } from "../../src/emulator/index.js";

export type Auth = { kind: "v1" } | { kind: "v2" } | { kind: "token"; token: string } | { kind: "none" };

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** Raw body text, sent as is (for malformed JSON). */
  rawBody?: string;
  auth?: Auth;
  timestamp?: number;
  credentials?: Partial<EmulatorCredentials>;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { code: string; msg: string; data?: Record<string, unknown> } & Record<string, unknown>;
}

export function sign(
  version: 1 | 2,
  method: string,
  path: string,
  timestamp: string,
  credentials: EmulatorCredentials,
): string {
  const text =
    version === 1
      ? `${method} ${path}\n${timestamp}\n${credentials.apiGatewayKey}\n${credentials.accessKey}`
      : `${method} ${path}\n${timestamp}\n${credentials.accessKey}`;
  return createHmac("sha256", credentials.secretKey).update(text).digest("base64");
}

export function authHeaders(
  auth: Auth,
  method: string,
  path: string,
  credentials: EmulatorCredentials,
  timestamp: number = Date.now(),
): Record<string, string> {
  if (auth.kind === "none") return {};
  if (auth.kind === "token") return { "x-ncp-ocapi-token": auth.token };
  const ts = String(timestamp);
  const headers: Record<string, string> = {
    "x-ncp-apigw-timestamp": ts,
    "x-ncp-iam-access-key": credentials.accessKey,
  };
  if (auth.kind === "v1") {
    headers["x-ncp-apigw-api-key"] = credentials.apiGatewayKey;
    headers["x-ncp-apigw-signature-v1"] = sign(1, method, path, ts, credentials);
  } else {
    headers["x-ncp-apigw-signature-v2"] = sign(2, method, path, ts, credentials);
  }
  return headers;
}

/** Calls the emulator; `auth` defaults to signature v2. */
export async function call(
  emulator: { url: string; credentials: EmulatorCredentials },
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const method = options.method ?? "POST";
  const credentials = { ...emulator.credentials, ...options.credentials };
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await request(`${emulator.url}${path}`, {
    method: method as Dispatcher.HttpMethod,
    headers: {
      "content-type": "application/json",
      ...authHeaders(options.auth ?? { kind: "v2" }, method, path, credentials, options.timestamp),
      ...options.headers,
    },
    body,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  let json: CallResult["json"];
  try {
    json = JSON.parse(text) as CallResult["json"];
  } catch {
    json = { code: "<not json>", msg: text };
  }
  return { status: response.statusCode, headers: response.headers, json };
}

export const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64");
export const unb64 = (value: unknown): string => Buffer.from(String(value), "base64").toString("utf8");

/** API 2.0 path of a key action. */
export const v2 = (keyTag: string, action: string): string => `/kms/v1/keys/${keyTag}/${action}`;
/** API 1.0 path of a key action with signature v1 or v2. */
export const v1 = (sig: 1 | 2, keyTag: string, action: string): string => `/keys/v${sig}/${keyTag}/${action}`;
