/**
 * `createKmsClient`: the composition root. It resolves the options, builds
 * the transports, stacks the layers every call goes through —
 *
 *   send (transport) → auth headers → response check → rate limiter →
 *   token renewal → concurrency → retry
 *
 * (innermost first, undici-style `compose`) — and exposes the public
 * operations on top: batched array crypto, single-value crypto and key
 * management. It holds no HTTP, quota or batching logic of its own.
 */
import type { z } from "zod";
import { isNcpKmsError } from "../errors.js";
import { createArrayCrypto, type Group } from "./batch.js";
import type { KmsClient } from "./client-types.js";
import { defaultScheduler } from "./coalescer.js";
import { fromBase64, toBase64, toBytes } from "./codec.js";
import { KmsInvalidOptionError, KmsValueTooLargeError } from "./errors.js";
import { emptyCounters } from "./events.js";
import { createHooks } from "./hooks.js";
import { authLayer, tokenRenewalLayer } from "./layers/auth.js";
import { type CallSpec, compose, type RequestAuth } from "./layers/call.js";
import { concurrencyLayer, limiterLayer } from "./layers/limit.js";
import { responseLayer } from "./layers/response.js";
import { retryLayer } from "./layers/retry.js";
import { sendDispatch } from "./layers/send.js";
import { createManagement } from "./management.js";
import { type AccountCredentials, type KmsClientOptions, validateOptions } from "./options.js";
import { createLocalRateLimiter } from "./rate-limiter.js";
import { createDefaultRetryPolicy, defaultRetryPolicy } from "./retry.js";
import { type CryptoAction, cryptoPath } from "./routes.js";
import { customKeyData, decryptData, encryptData, reencryptData, signData, verifyData } from "./schemas.js";
import { type KeyTokens, TokenStore } from "./token-auth.js";
import { createTransport, type Transport } from "./transport.js";
import type { Settled } from "./types.js";

export {
  type ContextOption,
  type CreateKeyInput,
  isKmsKeyType,
  type KmsClient,
  type KmsKeyType,
  type TokenHours,
} from "./client-types.js";

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

  const transportOptions = {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxResponseBytes: options.maxResponseBytes ?? 8 * 1024 * 1024,
    dispatcher: options.dispatcher,
  };
  const cryptoTransport = createTransport({ ...transportOptions, endpoint, connections: concurrency });
  const managementTransport: Transport =
    managementEndpoint === endpoint
      ? cryptoTransport
      : createTransport({ ...transportOptions, endpoint: managementEndpoint, connections: 4 });

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
  const dispatch = compose(
    sendDispatch({ counters, hooks, monotonicNow }),
    authLayer({ now, tokens: () => tokens }),
    responseLayer({ now }),
    limiterLayer({
      limiter:
        options.rateLimiter ?? createLocalRateLimiter({ tps, burst: options.burst, now: monotonicNow }),
      maxWaitMs: options.maxWaitMs ?? 30_000,
      scheduler,
      counters,
      hooks,
    }),
    tokenRenewalLayer({ tokens: () => tokens }),
    concurrencyLayer(concurrency),
    retryLayer({
      policy:
        options.retryPolicy ??
        createDefaultRetryPolicy({ ...defaultRetryPolicy, ...options.retry }, options.random ?? Math.random),
      scheduler,
      monotonicNow,
      counters,
      hooks,
    }),
  );
  const request = async <T extends z.ZodType>(spec: CallSpec<T>): Promise<z.infer<T>> =>
    (await dispatch({ spec, attempt: 1, headers: {} })).json as z.infer<T>;

  const bucketFor = (keyTag: string) => (api === "v2" ? keyTag : "account");

  function cryptoCall<T extends z.ZodType>(
    action: CryptoAction,
    keyTag: string,
    body: unknown,
    data: T,
    items = 1,
  ) {
    return request({
      action,
      keyTag,
      transport: cryptoTransport,
      method: "POST",
      path: cryptoPath(api, signatureVersion, keyTag, action),
      body,
      auth: cryptoAuth,
      bucket: bucketFor(keyTag),
      items,
      data,
    });
  }

  const management = createManagement({ request, transport: managementTransport, accountAuth, counters });

  if (auth.type === "token") {
    const accessTokenHours =
      options.accessTokenHours === undefined ? {} : { accessTokenHours: options.accessTokenHours };
    tokens = new TokenStore({
      tokens: auth.tokens ?? {},
      now,
      refreshBeforeMs: options.refreshBeforeMs ?? 60_000,
      refresh: (keyTag, refreshToken) => management.createAccessToken(keyTag, refreshToken, accessTokenHours),
      issue:
        account === undefined ? undefined : (keyTag): Promise<KeyTokens> => management.issueTokenSet(keyTag),
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
      const set = await management.issueTokenSet(keyTag, hours);
      tokens?.set(keyTag, set);
      return set;
    },
    createAccessToken: management.createAccessToken,
    createKey: management.createKey,
    rotateKey: management.rotateKey,
    listKeys: management.listKeys,
    getKey: management.getKey,
    counters: () => ({ ...counters }),
    on: hooks.on,
    async close() {
      await cryptoTransport.close();
      if (managementTransport !== cryptoTransport) await managementTransport.close();
    },
  };
  return client;
}
