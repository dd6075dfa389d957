/**
 * API 2.0 token auth: one access token per key (NCP issues tokens per key).
 * With a refresh token the store renews the access token shortly before its
 * `exp` and once after a 401; parallel callers share one refresh
 * (single-flight). With account credentials it can also issue a first token
 * set for a key that has none.
 */
import { KmsUnauthorizedError } from "./errors.js";

/** The tokens held for one key. */
export interface KeyTokens {
  accessToken: string;
  refreshToken?: string | undefined;
}

export interface TokenStoreOptions {
  /** Initial tokens by key tag. */
  tokens: Record<string, KeyTokens>;
  /** Wall clock, epoch ms. */
  now: () => number;
  /** Renew this long before `exp` (capped at half the token's lifetime). */
  refreshBeforeMs: number;
  /** Exchanges a refresh token for a new access token (the `access-token` action). */
  refresh: (keyTag: string, refreshToken: string) => Promise<string>;
  /** Issues a new token set with account auth (the `token-set` action), if credentials allow. */
  issue?: ((keyTag: string) => Promise<KeyTokens>) | undefined;
}

/** `exp` and `iat` (seconds) of a JWT, read without verifying it (the server verifies). */
export function decodeJwtTimes(token: string): { exp?: number; iat?: number } {
  const payload = token.split(".")[1];
  if (payload === undefined) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const out: { exp?: number; iat?: number } = {};
    if (typeof claims.exp === "number") out.exp = claims.exp;
    if (typeof claims.iat === "number") out.iat = claims.iat;
    return out;
  } catch {
    return {};
  }
}

/** Whether `token` should be renewed at `nowMs`. Tokens without `exp` never are (until a 401). */
export function needsRefresh(token: string, nowMs: number, refreshBeforeMs: number): boolean {
  const { exp, iat } = decodeJwtTimes(token);
  if (exp === undefined) return false;
  const lifetimeMs = iat === undefined ? Number.POSITIVE_INFINITY : (exp - iat) * 1000;
  const margin = Math.min(refreshBeforeMs, lifetimeMs / 2);
  return nowMs >= exp * 1000 - margin;
}

export class TokenStore {
  readonly #tokens = new Map<string, KeyTokens>();
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #options: TokenStoreOptions;

  constructor(options: TokenStoreOptions) {
    this.#options = options;
    for (const [tag, t] of Object.entries(options.tokens)) this.#tokens.set(tag, { ...t });
  }

  /** A usable access token for `keyTag`, renewed first if it is about to expire. */
  async accessToken(keyTag: string): Promise<string> {
    const current = this.#tokens.get(keyTag);
    if (current === undefined) return this.#renew(keyTag, undefined);
    if (needsRefresh(current.accessToken, this.#options.now(), this.#options.refreshBeforeMs)) {
      if (current.refreshToken !== undefined || this.#options.issue !== undefined) {
        return this.#renew(keyTag, current.accessToken);
      }
    }
    return current.accessToken;
  }

  /**
   * After a 401 with `usedToken`: renew (once, shared) and return the new
   * token, or `undefined` when there is no way to renew.
   */
  async afterUnauthorized(keyTag: string, usedToken: string): Promise<string | undefined> {
    const current = this.#tokens.get(keyTag);
    if (current !== undefined && current.accessToken !== usedToken) return current.accessToken;
    if (current?.refreshToken === undefined && this.#options.issue === undefined) return undefined;
    return this.#renew(keyTag, usedToken);
  }

  /** Stores tokens issued elsewhere (e.g. by `createTokenSet`). */
  set(keyTag: string, tokens: KeyTokens): void {
    this.#tokens.set(keyTag, { ...tokens });
  }

  #renew(keyTag: string, staleToken: string | undefined): Promise<string> {
    const running = this.#inflight.get(keyTag);
    if (running !== undefined) return running;
    const job = this.#doRenew(keyTag, staleToken).finally(() => this.#inflight.delete(keyTag));
    this.#inflight.set(keyTag, job);
    return job;
  }

  async #doRenew(keyTag: string, staleToken: string | undefined): Promise<string> {
    const current = this.#tokens.get(keyTag);
    // Someone else renewed between our check and now.
    if (current !== undefined && staleToken !== undefined && current.accessToken !== staleToken) {
      return current.accessToken;
    }
    if (current?.refreshToken !== undefined) {
      try {
        const accessToken = await this.#options.refresh(keyTag, current.refreshToken);
        this.#tokens.set(keyTag, { ...current, accessToken });
        return accessToken;
      } catch (error) {
        // A revoked or expired refresh token: fall back to a fresh token set if we can.
        if (this.#options.issue === undefined || !(error instanceof KmsUnauthorizedError)) throw error;
      }
    }
    if (this.#options.issue === undefined) {
      throw new KmsUnauthorizedError({ action: "token", keyTag, attempts: 0 });
    }
    const issued = await this.#options.issue(keyTag);
    this.#tokens.set(keyTag, { ...issued });
    return issued.accessToken;
  }
}
