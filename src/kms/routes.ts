/**
 * Request paths for API 1.0 and API 2.0 (pure). Action names differ between
 * the two APIs only for "create custom key".
 */

/** Crypto actions, named as on API 2.0. */
export type CryptoAction = "encrypt" | "decrypt" | "re-encrypt" | "create-custom-key" | "sign" | "verify";

const v1Names: Record<CryptoAction, string> = {
  encrypt: "encrypt",
  decrypt: "decrypt",
  "re-encrypt": "re-encrypt",
  "create-custom-key": "createCustomKey",
  sign: "sign",
  verify: "verify",
};

/** Path of a crypto action: `/kms/v1/keys/{tag}/{action}` (API 2.0) or `/keys/v{sig}/{tag}/{action}` (API 1.0). */
export function cryptoPath(
  api: "v1" | "v2",
  signatureVersion: 1 | 2,
  keyTag: string,
  action: CryptoAction,
): string {
  const tag = encodeURIComponent(keyTag);
  return api === "v2"
    ? `/kms/v1/keys/${tag}/${action}`
    : `/keys/v${signatureVersion}/${tag}/${v1Names[action]}`;
}

/** Paths of API 2.0 key management and token issuing (account auth). */
export const managementPath = {
  keys: () => "/kms/v1/keys",
  key: (keyTag: string) => `/kms/v1/keys/${encodeURIComponent(keyTag)}`,
  rotate: (keyTag: string) => `/kms/v1/keys/${encodeURIComponent(keyTag)}/rotate`,
  tokenSet: (keyTag: string) => `/kms/v1/keys/${encodeURIComponent(keyTag)}/token-set`,
  accessToken: (keyTag: string) => `/kms/v1/keys/${encodeURIComponent(keyTag)}/access-token`,
};
