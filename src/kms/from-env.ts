/**
 * The one documented way to configure the KMS client from the environment,
 * shared by the library and the CLI so both read the same `NCP_*` names:
 *
 * | variable | meaning |
 * |---|---|
 * | `NCP_KMS_ENDPOINT` | base URL (the emulator's, or a regional NCP one) |
 * | `NCP_ACCESS_KEY`, `NCP_SECRET_KEY` | API credentials (signature auth) |
 * | `NCP_API_GATEWAY_KEY` | API Gateway key, API 1.0 signature v1 only |
 * | `NCP_KMS_API` | `v2` (default) or `v1` |
 * | `NCP_KMS_TPS` | the limiter's rate |
 * | `NCP_KMS_KEYS` | `default=<keyTag>,searchable=<keyTag>,...` (key names → tags) |
 *
 * Errors name the variable, never its value.
 */
import process from "node:process";
import { createKmsClient, type KmsClient } from "./client.js";
import { KmsInvalidOptionError } from "./errors.js";
import type { KmsClientOptions } from "./options.js";

/** An environment to read: `process.env` or any record of strings. */
export type KmsEnv = Readonly<Record<string, string | undefined>>;

function present(env: KmsEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/**
 * KMS client options from `NCP_*` variables; `overrides` win field by field
 * (e.g. `{ rateLimiter }`, `{ auth: { type: "token", ... } }`).
 *
 * @throws {KmsInvalidOptionError} naming the variable when one is malformed,
 *   or when no credentials are given and `overrides.auth` is missing.
 *
 * @example
 * ```ts
 * import { createKmsClient, kmsOptionsFromEnv } from "prisma-ncp-kms";
 *
 * const kms = createKmsClient(kmsOptionsFromEnv(process.env, { tps: 100 }));
 * ```
 */
export function kmsOptionsFromEnv(
  env: KmsEnv = process.env,
  overrides: Partial<KmsClientOptions> = {},
): KmsClientOptions {
  const apiText = present(env, "NCP_KMS_API") ?? "v2";
  if (apiText !== "v1" && apiText !== "v2") {
    throw new KmsInvalidOptionError("NCP_KMS_API", "expected v1 or v2");
  }
  const api = apiText;
  const fromEnv: Partial<KmsClientOptions> = { api };
  const endpoint = present(env, "NCP_KMS_ENDPOINT");
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^\s/]+/.test(endpoint)) {
      throw new KmsInvalidOptionError("NCP_KMS_ENDPOINT", "expected an http(s):// URL");
    }
    fromEnv.endpoint = endpoint;
  }
  const tpsText = present(env, "NCP_KMS_TPS");
  if (tpsText !== undefined) {
    const tps = Number(tpsText);
    if (!(tps > 0)) throw new KmsInvalidOptionError("NCP_KMS_TPS", "expected a number above 0");
    fromEnv.tps = tps;
  }
  const accessKey = present(env, "NCP_ACCESS_KEY");
  const secretKey = present(env, "NCP_SECRET_KEY");
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new KmsInvalidOptionError(
      accessKey === undefined ? "NCP_ACCESS_KEY" : "NCP_SECRET_KEY",
      "is empty or unset while its partner is set; set both NCP_ACCESS_KEY and NCP_SECRET_KEY",
    );
  }
  if (accessKey !== undefined && secretKey !== undefined) {
    const gatewayKey = present(env, "NCP_API_GATEWAY_KEY");
    fromEnv.auth = {
      type: "signature",
      accessKey,
      secretKey,
      ...(gatewayKey !== undefined && api === "v1"
        ? { apiGatewayKey: gatewayKey, signatureVersion: 1 as const }
        : {}),
    };
  }
  const merged = { ...fromEnv, ...overrides };
  if (merged.auth === undefined) {
    throw new KmsInvalidOptionError(
      "auth",
      "no KMS credentials: set NCP_ACCESS_KEY and NCP_SECRET_KEY (or pass `auth`)",
    );
  }
  return merged as KmsClientOptions;
}

/**
 * `createKmsClient(kmsOptionsFromEnv(env, overrides))`: a client for the
 * emulator or NCP, whichever `NCP_KMS_ENDPOINT` names.
 *
 * @example
 * ```ts
 * import { createKmsClientFromEnv } from "prisma-ncp-kms";
 *
 * // NCP_KMS_ENDPOINT, NCP_ACCESS_KEY, NCP_SECRET_KEY (and NCP_KMS_API, NCP_KMS_TPS)
 * const kms = createKmsClientFromEnv();
 * ```
 */
export function createKmsClientFromEnv(
  env: KmsEnv = process.env,
  overrides: Partial<KmsClientOptions> = {},
): KmsClient {
  return createKmsClient(kmsOptionsFromEnv(env, overrides));
}

/**
 * Parses `name=keyTag` entries (comma-separated, repeatable) into the
 * `keys` option of `ncpKmsEncryption`.
 *
 * @param option what to name in errors (`NCP_KMS_KEYS`, `--key`).
 * @throws {KmsInvalidOptionError} naming `option` and the entry's position.
 */
export function parseKeyTags(entries: readonly string[], option = "NCP_KMS_KEYS"): Record<string, string> {
  const keys: Record<string, string> = {};
  const parts = entries.flatMap((e) => e.split(",")).map((e) => e.trim());
  parts.forEach((entry, index) => {
    if (entry === "") return;
    const eq = entry.indexOf("=");
    if (eq <= 0 || eq === entry.length - 1) {
      throw new KmsInvalidOptionError(option, `entry ${index + 1} is not name=keyTag`);
    }
    keys[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  });
  return keys;
}

/**
 * Key names → key tags from `NCP_KMS_KEYS` (`default=<tag>,searchable=<tag>`),
 * the variable the CLI's `migrate` reads and the emulator prints.
 *
 * @throws {KmsInvalidOptionError} when `NCP_KMS_KEYS` is unset, empty or malformed.
 *
 * @example
 * ```ts
 * import { kmsKeysFromEnv } from "prisma-ncp-kms";
 *
 * const keys = kmsKeysFromEnv(); // { default: "…", searchable: "…" }
 * ```
 */
export function kmsKeysFromEnv(env: KmsEnv = process.env): Record<string, string> {
  const text = present(env, "NCP_KMS_KEYS");
  if (text === undefined) {
    throw new KmsInvalidOptionError(
      "NCP_KMS_KEYS",
      "is not set; expected default=<keyTag>,searchable=<keyTag>",
    );
  }
  return parseKeyTags([text]);
}
