/**
 * `createKmsClient`: wires options into the layers (transport, auth, limiter,
 * retry, batching) and exposes the public operations. Holds no HTTP or
 * batching logic of its own.
 */
import { isNcpKmsError } from "../errors.js";
import { createArrayCrypto, type Group } from "./batch.js";
import { defaultScheduler } from "./coalescer.js";
import { fromBase64, toBase64, toBytes } from "./codec.js";
import { KmsInvalidOptionError, KmsValueTooLargeError } from "./errors.js";
import { emptyCounters, type KmsCounters, type KmsEvent } from "./events.js";
import { createHooks } from "./hooks.js";
import { type AccountCredentials, type KmsClientOptions, validateOptions } from "./options.js";
import { createLocalRateLimiter } from "./rate-limiter.js";
import { createRequester, type RequestAuth } from "./requester.js";
import { createDefaultRetryPolicy, defaultRetryPolicy } from "./retry.js";
import { type CryptoAction, cryptoPath, managementPath } from "./routes.js";
import {
  accessTokenData,
  customKeyData,
  decryptData,
  encryptData,
  type KeyInfo,
  keyInfo,
  keyListData,
  reencryptData,
  rotateData,
  signData,
  tokenSetData,
  verifyData,
} from "./schemas.js";
import { type KeyTokens, TokenStore } from "./token-auth.js";
import { createTransport, type Transport } from "./transport.js";
import type { KmsCrypto, Settled } from "./types.js";

/** Optional context for single-value operations (raw bytes or a UTF-8 string, at most 50 bytes). */
export interface ContextOption {
  context?: Uint8Array | string | undefined;
}

/** Key types NCP KMS offers. */
export type KmsKeyType = "AES256" | "RSA2048" | "ECDSA";

/** Narrows a string to {@link KmsKeyType}. */
export function isKmsKeyType(value: string): value is KmsKeyType {
  return value === "AES256" || value === "RSA2048" || value === "ECDSA";
}

/** Input of {@link KmsClient.createKey} (API 2.0 "Create Key"). */
export interface CreateKeyInput {
  /** 3–15 chars, starts with a letter; letters, digits, `-`, `_`. */
  keyName: string;
  /** Defaults to `"AES256"`. */
  keyType?: KmsKeyType;
  /** Convergent encryption (AES256 only). Defaults to `false`. */
  isConvergent?: boolean;
  /** Defaults to `false`. */
  isAutoRotation?: boolean;
  /** Days between automatic rotations (1–730), only with auto-rotation. Defaults to the server's (90). */
  rotationPeriod?: number;
  /** Defaults to `"BASIC"`. */
  protectionType?: "BASIC" | "COMMON_HSM";
  /** Defaults to none. */
  memo?: string;
}

/** TTLs for token issuing: hours 1–17520, or `"UL"` for unlimited. */
export interface TokenHours {
  /** Defaults to the server's (72). */
  accessTokenHours?: number | "UL";
  /** Defaults to the server's (2160). */
  refreshTokenHours?: number | "UL";
}

/** The NCP KMS client. Implements {@link KmsCrypto} for the Prisma extension and the migration engine. */
export interface KmsClient extends KmsCrypto {
  /** Encrypts one value (coalesced with concurrent calls). */
  encrypt(keyTag: string, plaintext: Uint8Array | string, options?: ContextOption): Promise<string>;
  /** Decrypts one ciphertext. */
  decrypt(keyTag: string, ciphertext: string, options?: ContextOption): Promise<Uint8Array>;
  /** Re-encrypts one ciphertext under the key's newest version. */
  reencrypt(keyTag: string, ciphertext: string, options?: ContextOption): Promise<string>;
  /** Creates a data key wrapped by the master key (`requestPlainKey` also returns it in the clear). */
  createCustomKey(
    keyTag: string,
    options?: ContextOption & { requestPlainKey?: boolean; bits?: 128 | 256 | 512 },
  ): Promise<{
    ciphertext: string;
    plaintext: Uint8Array | undefined;
    keyVersion: number | string | undefined;
  }>;
  /** Signs up to 8 KB of data (RSA2048 or ECDSA keys). */
  sign(keyTag: string, data: Uint8Array | string): Promise<string>;
  /** Verifies a signature made by {@link KmsClient.sign}. */
  verify(keyTag: string, data: Uint8Array | string, signature: string): Promise<boolean>;
  /** Issues a token pair with account auth; under token auth the client starts using it. */
  createTokenSet(keyTag: string, hours?: TokenHours): Promise<{ accessToken: string; refreshToken: string }>;
  /** Exchanges a refresh token for a new access token. */
  createAccessToken(
    keyTag: string,
    refreshToken: string,
    hours?: Pick<TokenHours, "accessTokenHours">,
  ): Promise<string>;
  /** Creates a key (account auth). */
  createKey(input: CreateKeyInput): Promise<KeyInfo>;
  /** Rotates a key: new version for encryption, old ones keep decrypting. */
  rotateKey(
    keyTag: string,
  ): Promise<{ keyTag: string; version: number; rotatedDate?: number | string | undefined }>;
  /** Lists keys (served by the emulator; [ours] in CONTRACT.md). */
  listKeys(): Promise<KeyInfo[]>;
  /** One key's details (served by the emulator; [ours] in CONTRACT.md). */
  getKey(keyTag: string): Promise<KeyInfo>;
  /** A snapshot of the running totals. */
  counters(): KmsCounters;
  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (event: KmsEvent) => void): () => void;
  /** Closes the keep-alive connections (when the client created them). */
  close(): Promise<void>;
}

const SIGN_LIMIT_BYTES = 8192;

function contextB64(context: Uint8Array | string | undefined): string | undefined {
  return context === undefined ? undefined : toBase64(toBytes(context));
}

function unwrap<T>(settled: Array<Settled<T>>): T[] {
  return settled.map((s) => {
    if (!s.ok) throw s.error;
    return s.value;
  });
}

/**
 * Creates a KMS client. Validates `options` once (throws `KmsInvalidOptionError`).
 *
 * @example
 * ```ts
 * const kms = createKmsClient({
 *   endpoint: "http://127.0.0.1:9000", // the emulator; omit for NCP
 *   auth: { type: "signature", accessKey, secretKey },
 * });
 * const [ct] = await kms.encryptMany(keyTag, undefined, [new TextEncoder().encode("hello")]);
 * ```
 */
export function createKmsClient(options: KmsClientOptions): KmsClient {
  validateOptions(options);
  const api = options.api ?? "v2";
  const endpoint =
    options.endpoint ?? (api === "v2" ? "https://ocapi.ncloud.com" : "https://kms.apigw.ntruss.com");
  const managementEndpoint =
    options.managementEndpoint ?? (api === "v2" ? endpoint : "https://ocapi.ncloud.com");
  const tps = options.tps ?? (api === "v2" ? 270 : 180);
  const concurrency = options.concurrency ?? 32;
  const now = options.now ?? Date.now;
  const monotonicNow = options.monotonicNow ?? (() => performance.now());
  const scheduler = options.scheduler ?? defaultScheduler;
  const counters = emptyCounters();
  const hooks = createHooks({ onEvent: options.onEvent, logger: options.logger });

  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  const crypto = createTransport({
    endpoint,
    timeoutMs,
    maxResponseBytes,
    connections: concurrency,
    dispatcher: options.dispatcher,
  });
  const management: Transport =
    managementEndpoint === endpoint
      ? crypto
      : createTransport({
          endpoint: managementEndpoint,
          timeoutMs,
          maxResponseBytes,
          connections: 4,
          dispatcher: options.dispatcher,
        });

  const auth = options.auth;
  const account: AccountCredentials | undefined = auth.type === "signature" ? auth : auth.account;
  const cryptoAuth: RequestAuth =
    auth.type === "token"
      ? { kind: "token" }
      : { kind: "signature", version: api === "v2" ? 2 : (auth.signatureVersion ?? 2), credentials: auth };
  const signatureVersion = cryptoAuth.kind === "signature" ? cryptoAuth.version : 2;
  function accountAuth(action: string): RequestAuth {
    if (account === undefined) {
      throw new KmsInvalidOptionError(
        "auth.account",
        `account credentials are needed for ${action}; got undefined`,
      );
    }
    return { kind: "signature", version: 2, credentials: account };
  }

  let tokens: TokenStore | undefined;
  const request = createRequester({
    limiter: options.rateLimiter ?? createLocalRateLimiter({ tps, burst: options.burst, now: monotonicNow }),
    maxWaitMs: options.maxWaitMs ?? 30_000,
    concurrency,
    get tokens() {
      return tokens;
    },
    retry:
      options.retryPolicy ??
      createDefaultRetryPolicy({ ...defaultRetryPolicy, ...options.retry }, options.random ?? Math.random),
    now,
    monotonicNow,
    scheduler,
    counters,
    hooks,
  });

  const bucketFor = (keyTag: string) => (api === "v2" ? keyTag : "account");

  function cryptoCall<T extends import("zod").ZodType>(
    action: CryptoAction,
    keyTag: string,
    body: unknown,
    data: T,
    items = 1,
  ) {
    return request({
      action,
      keyTag,
      transport: crypto,
      method: "POST",
      path: cryptoPath(api, signatureVersion, keyTag, action),
      body,
      auth: cryptoAuth,
      bucket: bucketFor(keyTag),
      items,
      data,
    });
  }

  async function createAccessToken(
    keyTag: string,
    refreshToken: string,
    hours: Pick<TokenHours, "accessTokenHours"> = {},
  ) {
    counters.calls++;
    const body = hours.accessTokenHours === undefined ? {} : { accessTokenHours: hours.accessTokenHours };
    const data = await request({
      action: "access-token",
      keyTag,
      transport: management,
      method: "POST",
      path: managementPath.accessToken(keyTag),
      body,
      auth: { kind: "refresh-token", refreshToken },
      unlimited: true,
      items: 0,
      data: accessTokenData,
    });
    return data.accessToken;
  }

  async function issueTokenSet(keyTag: string, hours: TokenHours = {}) {
    const data = await request({
      action: "token-set",
      idempotent: false,
      keyTag,
      transport: management,
      method: "POST",
      path: managementPath.tokenSet(keyTag),
      body: { ...hours },
      auth: accountAuth("token-set"),
      unlimited: true,
      items: 0,
      data: tokenSetData,
    });
    return { accessToken: data.accessToken, refreshToken: data.refreshToken };
  }

  if (auth.type === "token") {
    tokens = new TokenStore({
      tokens: auth.tokens ?? {},
      now,
      refreshBeforeMs: options.refreshBeforeMs ?? 60_000,
      refresh: (keyTag, refreshToken) =>
        createAccessToken(
          keyTag,
          refreshToken,
          options.accessTokenHours === undefined ? {} : { accessTokenHours: options.accessTokenHours },
        ),
      issue: account === undefined ? undefined : (keyTag): Promise<KeyTokens> => issueTokenSet(keyTag),
      onRenewal: (keyTag, { error, background }) =>
        hooks.emit({
          type: "token-refresh",
          keyTag,
          ok: error === undefined,
          background,
          code: isNcpKmsError(error) ? error.code : error === undefined ? undefined : "UNKNOWN",
        }),
    });
  }

  const arrays = createArrayCrypto({
    maxRequestBytes: options.maxRequestBytes ?? 32_768,
    maxItemsPerRequest: options.maxItemsPerRequest ?? 1000,
    maxIsolationRequests: options.maxIsolationRequests ?? 64,
    coalesceWindowMs: options.coalesceWindowMs ?? 0,
    maxBatchSize: options.maxBatchSize ?? 10_000,
    scheduler,
    counters,
    async send(group: Group, wires) {
      const ctx = group.context === undefined ? {} : { context: group.context };
      if (group.action === "encrypt") {
        return (
          await cryptoCall("encrypt", group.keyTag, { plaintext: wires, ...ctx }, encryptData, wires.length)
        ).ciphertext;
      }
      if (group.action === "decrypt") {
        return (
          await cryptoCall("decrypt", group.keyTag, { ciphertext: wires, ...ctx }, decryptData, wires.length)
        ).plaintext;
      }
      return (
        await cryptoCall(
          "re-encrypt",
          group.keyTag,
          { ciphertext: wires, ...ctx },
          reencryptData,
          wires.length,
        )
      ).newCiphertext;
    },
  });

  function runMany(
    action: Group["action"],
    keyTag: string,
    context: Uint8Array | string | undefined,
    values: readonly (Uint8Array | string)[],
  ) {
    counters.calls++;
    return arrays.run({ action, keyTag, context: contextB64(context) }, values);
  }

  const client: KmsClient = {
    async encryptMany(keyTag, context, plaintexts) {
      return unwrap(await runMany("encrypt", keyTag, context, plaintexts)) as string[];
    },
    async decryptMany(keyTag, context, ciphertexts) {
      return unwrap(await runMany("decrypt", keyTag, context, ciphertexts)) as Uint8Array[];
    },
    async reencryptMany(keyTag, context, ciphertexts) {
      return unwrap(await runMany("re-encrypt", keyTag, context, ciphertexts)) as string[];
    },
    async decryptManySettled(keyTag, context, ciphertexts) {
      return (await runMany("decrypt", keyTag, context, ciphertexts)) as Array<Settled<Uint8Array>>;
    },
    async reencryptManySettled(keyTag, context, ciphertexts) {
      return (await runMany("re-encrypt", keyTag, context, ciphertexts)) as Array<Settled<string>>;
    },
    async encrypt(keyTag, plaintext, opts = {}) {
      return unwrap(await runMany("encrypt", keyTag, opts.context, [toBytes(plaintext)]))[0] as string;
    },
    async decrypt(keyTag, ciphertext, opts = {}) {
      return unwrap(await runMany("decrypt", keyTag, opts.context, [ciphertext]))[0] as Uint8Array;
    },
    async reencrypt(keyTag, ciphertext, opts = {}) {
      return unwrap(await runMany("re-encrypt", keyTag, opts.context, [ciphertext]))[0] as string;
    },
    async createCustomKey(keyTag, opts = {}) {
      counters.calls++;
      const body: Record<string, unknown> = {};
      if (opts.requestPlainKey !== undefined) body.requestPlainKey = opts.requestPlainKey;
      if (opts.bits !== undefined) body.bits = opts.bits;
      if (opts.context !== undefined) body.context = contextB64(opts.context);
      const data = await cryptoCall("create-custom-key", keyTag, body, customKeyData);
      return {
        ciphertext: data.ciphertext,
        plaintext: data.plaintext === undefined ? undefined : fromBase64(data.plaintext),
        keyVersion: data.key_version,
      };
    },
    async sign(keyTag, data) {
      counters.calls++;
      const bytes = toBytes(data);
      if (bytes.byteLength > SIGN_LIMIT_BYTES) {
        throw new KmsValueTooLargeError({
          action: "sign",
          keyTag,
          sizeBytes: bytes.byteLength,
          limitBytes: SIGN_LIMIT_BYTES,
        });
      }
      return (await cryptoCall("sign", keyTag, { data: toBase64(bytes) }, signData)).signature;
    },
    async verify(keyTag, data, signature) {
      counters.calls++;
      const bytes = toBytes(data);
      if (bytes.byteLength > SIGN_LIMIT_BYTES) {
        throw new KmsValueTooLargeError({
          action: "verify",
          keyTag,
          sizeBytes: bytes.byteLength,
          limitBytes: SIGN_LIMIT_BYTES,
        });
      }
      return (await cryptoCall("verify", keyTag, { data: toBase64(bytes), signature }, verifyData)).valid;
    },
    async createTokenSet(keyTag, hours = {}) {
      counters.calls++;
      const set = await issueTokenSet(keyTag, hours);
      tokens?.set(keyTag, set);
      return set;
    },
    createAccessToken,
    async createKey(input) {
      counters.calls++;
      const body = {
        keyType: "AES256",
        isConvergent: false,
        isAutoRotation: false,
        protectionType: "BASIC",
        ...input,
      };
      return request({
        action: "create-key",
        idempotent: false,
        transport: management,
        method: "POST",
        path: managementPath.keys(),
        body,
        auth: accountAuth("create-key"),
        unlimited: true,
        items: 0,
        data: keyInfo,
      });
    },
    async rotateKey(keyTag) {
      counters.calls++;
      return request({
        action: "rotate-key",
        idempotent: false,
        keyTag,
        transport: management,
        method: "POST",
        path: managementPath.rotate(keyTag),
        body: {},
        auth: accountAuth("rotate-key"),
        unlimited: true,
        items: 0,
        data: rotateData,
      });
    },
    async listKeys() {
      counters.calls++;
      const data = await request({
        action: "list-keys",
        transport: management,
        method: "GET",
        path: managementPath.keys(),
        auth: accountAuth("list-keys"),
        unlimited: true,
        items: 0,
        data: keyListData,
      });
      return Array.isArray(data) ? data : data.keys;
    },
    async getKey(keyTag) {
      counters.calls++;
      return request({
        action: "get-key",
        keyTag,
        transport: management,
        method: "GET",
        path: managementPath.key(keyTag),
        auth: accountAuth("get-key"),
        unlimited: true,
        items: 0,
        data: keyInfo,
      });
    },
    counters: () => ({ ...counters }),
    on: hooks.on,
    async close() {
      await crypto.close();
      if (management !== crypto) await management.close();
    },
  };
  return client;
}
