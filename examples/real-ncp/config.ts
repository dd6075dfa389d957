/**
 * Everything the app needs from the environment, read and checked once at
 * start. A missing or unusable variable fails here with an error naming it;
 * values are never printed.
 */
import { Redis } from "ioredis";
// An app imports these from "prisma-ncp-kms/kms".
import {
  createKmsClient,
  createRedisRateLimiter,
  type KeyTokens,
  type KmsClient,
  type KmsClientOptions,
} from "../../src/kms/index.js";
import { InvalidEnvError, MissingEnvError } from "./errors.js";

/** Environment variables, e.g. `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The app's settings, from {@link loadConfig}. */
export interface AppConfig {
  /** KMS client options (no rate limiter yet: {@link connectKms} adds the Redis one). */
  kms: KmsClientOptions;
  /** Key tags: `default` (AES256) and `searchable` (AES256, convergent). */
  keys: { default: string; searchable: string };
  /** `DATABASE_URL`. Defaults to `postgresql://postgres@127.0.0.1:5432/test`. */
  databaseUrl: string;
  /** `PORT`. Defaults to 3000. */
  port: number;
  /** `HOST`. Defaults to `127.0.0.1`. */
  host: string;
  /** `REDIS_URL`: share one TPS budget across app servers. Defaults to none (a per-process limiter). */
  redisUrl: string | undefined;
}

/** NCP KMS API 2.0, global endpoint. */
export const DEFAULT_ENDPOINT = "https://ocapi.ncloud.com";
export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test";
export const DEFAULT_PORT = 3000;
/** The client's own default for API 2.0: 90% of NCP's 300 TPS per key. */
const DEFAULT_TPS = 270;

/** Key names of the encryption map and the suffix of their variables. */
const KEY_NAMES = [
  ["default", "DEFAULT"],
  ["searchable", "SEARCHABLE"],
] as const;

const read = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
};

function httpUrl(env: Env, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new InvalidEnvError(name, "must be an http(s) URL, e.g. https://ocapi.ncloud.com");
  }
  return value.replace(/\/+$/, "");
}

function positiveNumber(env: Env, name: string): number | undefined {
  const text = read(env, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidEnvError(name, "must be a number above 0");
  return value;
}

function port(env: Env): number {
  const text = read(env, "PORT");
  if (text === undefined) return DEFAULT_PORT;
  const value = Number(text);
  if (!(Number.isInteger(value) && value >= 0 && value <= 65535)) {
    throw new InvalidEnvError("PORT", "must be an integer from 0 to 65535");
  }
  return value;
}

function authFrom(env: Env, keys: AppConfig["keys"], missing: string[]): KmsClientOptions["auth"] {
  const accessKey = read(env, "NCP_ACCESS_KEY");
  const secretKey = read(env, "NCP_SECRET_KEY");
  const mode = read(env, "NCP_KMS_AUTH");
  if (mode !== undefined && mode !== "signature" && mode !== "token") {
    throw new InvalidEnvError("NCP_KMS_AUTH", "must be signature or token");
  }
  const anyToken = KEY_NAMES.some(([, suffix]) => read(env, `NCP_KMS_ACCESS_TOKEN_${suffix}`) !== undefined);
  if ((mode ?? (anyToken ? "token" : "signature")) === "signature") {
    if (accessKey === undefined) missing.push("NCP_ACCESS_KEY");
    if (secretKey === undefined) missing.push("NCP_SECRET_KEY");
    return { type: "signature", accessKey: accessKey ?? "", secretKey: secretKey ?? "" };
  }
  // Token auth: one access token per key. Account credentials are optional;
  // with them the client issues a token set for a key that has none.
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    missing.push(accessKey === undefined ? "NCP_ACCESS_KEY" : "NCP_SECRET_KEY");
  }
  const account = accessKey !== undefined && secretKey !== undefined ? { accessKey, secretKey } : undefined;
  const tokens: Record<string, KeyTokens> = {};
  for (const [name, suffix] of KEY_NAMES) {
    const accessToken = read(env, `NCP_KMS_ACCESS_TOKEN_${suffix}`);
    const refreshToken = read(env, `NCP_KMS_REFRESH_TOKEN_${suffix}`);
    if (accessToken !== undefined) tokens[keys[name]] = { accessToken, refreshToken };
    else if (account === undefined) missing.push(`NCP_KMS_ACCESS_TOKEN_${suffix}`);
  }
  return { type: "token", tokens, ...(account === undefined ? {} : { account }) };
}

/**
 * Reads the configuration from `env`. Throws {@link MissingEnvError} listing
 * every missing variable, or {@link InvalidEnvError} naming a bad one.
 */
export function loadConfig(env: Env): AppConfig {
  const missing: string[] = [];
  const keyDefault = read(env, "NCP_KMS_KEY_DEFAULT");
  const keySearchable = read(env, "NCP_KMS_KEY_SEARCHABLE");
  if (keyDefault === undefined) missing.push("NCP_KMS_KEY_DEFAULT");
  if (keySearchable === undefined) missing.push("NCP_KMS_KEY_SEARCHABLE");
  const keys = { default: keyDefault ?? "", searchable: keySearchable ?? "" };
  const auth = authFrom(env, keys, missing);
  if (missing.length > 0) throw new MissingEnvError(missing);
  if (keys.default === keys.searchable) {
    // A convergent key on non-searchable fields would reveal which rows share a value.
    throw new InvalidEnvError("NCP_KMS_KEY_SEARCHABLE", "must be a different key than NCP_KMS_KEY_DEFAULT");
  }
  const redisUrl = read(env, "REDIS_URL");
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new InvalidEnvError("REDIS_URL", "must start with redis:// or rediss://");
  }
  const tps = positiveNumber(env, "NCP_KMS_TPS");
  return {
    kms: {
      endpoint: httpUrl(env, "NCP_KMS_ENDPOINT", DEFAULT_ENDPOINT),
      auth,
      ...(tps === undefined ? {} : { tps }),
    },
    keys,
    databaseUrl: read(env, "DATABASE_URL") ?? DEFAULT_DATABASE_URL,
    port: port(env),
    host: read(env, "HOST") ?? "127.0.0.1",
    redisUrl,
  };
}

/** A KMS client and what to close with it. */
export interface KmsConnection {
  kms: KmsClient;
  /** Closes the client (and the Redis connection, if any). */
  close(): Promise<void>;
}

/**
 * Creates the KMS client. With `REDIS_URL`, every process pointing at the
 * same Redis shares one token bucket per key, so N app servers together stay
 * under `NCP_KMS_TPS`.
 */
export function connectKms(config: AppConfig): KmsConnection {
  if (config.redisUrl === undefined) {
    const kms = createKmsClient(config.kms);
    return { kms, close: () => kms.close() };
  }
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  const rateLimiter = createRedisRateLimiter({ redis, tps: config.kms.tps ?? DEFAULT_TPS });
  const kms = createKmsClient({ ...config.kms, rateLimiter });
  return {
    kms,
    async close() {
      await kms.close();
      await redis.quit();
    },
  };
}
