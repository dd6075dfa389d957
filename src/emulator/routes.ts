import { KmsResponseError, notFound } from "./errors.js";

/** How a route authenticates. */
export type AuthMode =
  | "signature-v1" // API 1.0 /keys/v1/...
  | "signature-v2" // API 1.0 /keys/v2/... and API 2.0 key management
  | "signature-v2-or-token" // API 2.0 crypto actions: account auth or an access token
  | "refresh-token"; // API 2.0 access-token: the refresh token in x-ncp-ocapi-token

/** A KMS route, resolved from method and path. `action` uses the API 2.0 names. */
export interface Route {
  action: string;
  api: 1 | 2;
  auth: AuthMode;
  keyTag: string | undefined;
  /** Crypto actions count against the TPS quota and values in stats. */
  crypto: boolean;
}

export const CRYPTO_ACTIONS = new Set([
  "encrypt",
  "decrypt",
  "re-encrypt",
  "create-custom-key",
  "sign",
  "verify",
]);

const V1_ACTIONS: Record<string, string> = {
  encrypt: "encrypt",
  decrypt: "decrypt",
  createCustomKey: "create-custom-key",
  "re-encrypt": "re-encrypt",
  sign: "sign",
  verify: "verify",
};
const V2_KEY_ACTIONS = new Set([
  ...CRYPTO_ACTIONS,
  "token-set",
  "access-token",
  "rotate",
  "enable",
  "disable",
]);

const KEY_TAG = "([A-Za-z0-9_-]{1,128})";
const API1 = new RegExp(`^/keys/v([12])/${KEY_TAG}/([A-Za-z-]+)$`);
const API2_ACTION = new RegExp(`^/kms/v1/keys/${KEY_TAG}/([a-z-]+)$`);
const API2_KEY = new RegExp(`^/kms/v1/keys/${KEY_TAG}$`);

function methodNotAllowed(allowed: string): KmsResponseError {
  return new KmsResponseError(405, "INVALID_REQUEST", `use ${allowed} for this path`, { allow: allowed });
}

function expect(method: string, wanted: "GET" | "POST"): void {
  if (method !== wanted) throw methodNotAllowed(wanted);
}

/**
 * Resolves a request to a route, or throws 404 (unknown path, unknown action)
 * or 405 (known path, wrong method; [ours]: NCP does not document it, the
 * emulator answers 405 with code INVALID_REQUEST and an `Allow` header).
 */
export function resolveRoute(method: string, pathname: string): Route {
  let match = API1.exec(pathname);
  if (match !== null) {
    const action = V1_ACTIONS[match[3]!];
    if (action === undefined) throw notFound("unknown action");
    expect(method, "POST");
    return {
      action,
      api: 1,
      auth: match[1] === "1" ? "signature-v1" : "signature-v2",
      keyTag: match[2]!,
      crypto: true,
    };
  }
  match = API2_ACTION.exec(pathname);
  if (match !== null) {
    const action = match[2]!;
    if (!V2_KEY_ACTIONS.has(action)) throw notFound("unknown action");
    expect(method, "POST");
    const crypto = CRYPTO_ACTIONS.has(action);
    const auth: AuthMode = crypto
      ? "signature-v2-or-token"
      : action === "access-token"
        ? "refresh-token"
        : "signature-v2";
    return { action, api: 2, auth, keyTag: match[1]!, crypto };
  }
  match = API2_KEY.exec(pathname);
  if (match !== null) {
    expect(method, "GET");
    return { action: "get-key", api: 2, auth: "signature-v2", keyTag: match[1]!, crypto: false };
  }
  if (pathname === "/kms/v1/keys") {
    if (method === "GET")
      return { action: "list-keys", api: 2, auth: "signature-v2", keyTag: undefined, crypto: false };
    if (method === "POST")
      return { action: "create-key", api: 2, auth: "signature-v2", keyTag: undefined, crypto: false };
    throw methodNotAllowed("GET, POST");
  }
  throw notFound("no such path");
}
