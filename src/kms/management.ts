/**
 * Key management and token issuing (API 2.0 management paths): every call
 * goes through one helper — management transport, account auth unless told
 * otherwise, outside the crypto quota and the concurrency limit.
 * `token-set`, `create-key` and `rotate-key` change server state each time
 * they run, so they are marked non-idempotent for the retry policy.
 */
import type { z } from "zod";
import type { CreateKeyInput, KmsClient, TokenHours } from "./client-types.js";
import type { KmsCounters } from "./events.js";
import type { CallSpec, RequestAuth } from "./layers/call.js";
import { managementPath } from "./routes.js";
import { accessTokenData, keyInfo, keyListData, rotateData, tokenSetData } from "./schemas.js";
import type { Transport } from "./transport.js";

/** Sends one call through the composed layers and returns its checked `data`. */
export type Request = <T extends z.ZodType>(spec: CallSpec<T>) => Promise<z.infer<T>>;

export interface ManagementDeps {
  request: Request;
  transport: Transport;
  /** Account auth for `action` (throws `KmsInvalidOptionError` without account credentials). */
  accountAuth: (action: string) => RequestAuth;
  counters: KmsCounters;
}

type Management = Pick<KmsClient, "createAccessToken" | "createKey" | "rotateKey" | "listKeys" | "getKey"> & {
  /** Issues a token set; storing it for token auth is the caller's business. */
  issueTokenSet(keyTag: string, hours?: TokenHours): Promise<{ accessToken: string; refreshToken: string }>;
};

export function createManagement(deps: ManagementDeps): Management {
  function manage<T extends z.ZodType>(
    action: string,
    data: T,
    call: {
      keyTag?: string;
      method?: "GET" | "POST";
      path: string;
      body?: unknown;
      idempotent?: boolean;
      auth?: RequestAuth;
    },
  ): Promise<z.infer<T>> {
    return deps.request({
      action,
      keyTag: call.keyTag,
      transport: deps.transport,
      method: call.method ?? "POST",
      path: call.path,
      body: call.body,
      auth: call.auth ?? deps.accountAuth(action),
      idempotent: call.idempotent ?? true,
      unlimited: true,
      items: 0,
      data,
    });
  }

  return {
    async issueTokenSet(keyTag, hours = {}) {
      const data = await manage("token-set", tokenSetData, {
        keyTag,
        path: managementPath.tokenSet(keyTag),
        body: { ...hours },
        idempotent: false,
      });
      return { accessToken: data.accessToken, refreshToken: data.refreshToken };
    },
    async createAccessToken(keyTag, refreshToken, hours = {}) {
      deps.counters.calls++;
      const body = hours.accessTokenHours === undefined ? {} : { accessTokenHours: hours.accessTokenHours };
      const data = await manage("access-token", accessTokenData, {
        keyTag,
        path: managementPath.accessToken(keyTag),
        body,
        auth: { kind: "refresh-token", refreshToken },
      });
      return data.accessToken;
    },
    createKey(input: CreateKeyInput) {
      deps.counters.calls++;
      const body = {
        keyType: "AES256",
        isConvergent: false,
        isAutoRotation: false,
        protectionType: "BASIC",
        ...input,
      };
      return manage("create-key", keyInfo, { path: managementPath.keys(), body, idempotent: false });
    },
    rotateKey(keyTag) {
      deps.counters.calls++;
      return manage("rotate-key", rotateData, {
        keyTag,
        path: managementPath.rotate(keyTag),
        body: {},
        idempotent: false,
      });
    },
    async listKeys() {
      deps.counters.calls++;
      const data = await manage("list-keys", keyListData, { method: "GET", path: managementPath.keys() });
      return Array.isArray(data) ? data : data.keys;
    },
    getKey(keyTag) {
      deps.counters.calls++;
      return manage("get-key", keyInfo, { keyTag, method: "GET", path: managementPath.key(keyTag) });
    },
  };
}
