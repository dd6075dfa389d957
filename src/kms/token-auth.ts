/**
 * API 2.0 token auth: one access token per key (NCP issues tokens per key).
 * With a refresh token the store renews the access token shortly before its
 * `exp` and once after a 401; parallel callers share one refresh
 * (single-flight). With account credentials it can also issue a first token
 * set for a key that has none.
 *
 * An early refresh runs in the background: the current token keeps serving
 * while it is still valid, and a failed early refresh is only reported (and
 * tried again after a pause). Only a missing or expired token makes callers
 * wait for the refresh, and then its failure is theirs.
 *
 * Each key's tokens are one immutable entry, replaced whole: a refresh writes
 * back only if the entry it started from is still the current one, so it can
 * never overwrite a token set stored meanwhile (e.g. by `createTokenSet`).
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
  /**
   * Told how each renewal ended (`error` undefined on success); `background`
   * for early refreshes nobody waited on. Must not throw.
   */
  onRenewal?: ((keyTag: string, outcome: { error: unknown; background: boolean }) => void) | undefined;
  /** Pause after a failed early refresh before the next try, in ms. Defaults to 5000. */
  retryPauseMs?: number | undefined;
}

/** A token counts as expired this long before its `exp` (clock skew and request time). */
const EXPIRY_SAFETY_MS = 5_000;

/** Whether `token` is past (or within a few seconds of) its `exp` at `nowMs`. Tokens without `exp` never are. */
export function isExpired(token: string, nowMs: number): boolean {
  const { exp } = decodeJwtTimes(token);
  return exp !== undefined && nowMs >= exp * 1000 - EXPIRY_SAFETY_MS;
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
  /** Current entry per key; entries are never mutated, only replaced. */
  readonly #tokens = new Map<string, Readonly<KeyTokens>>();
  readonly #inflight = new Map<string, Promise<string>>();
  /** Per key: no early refresh before this wall time (after one failed). */
  readonly #pauseUntil = new Map<string, number>();
  readonly #options: TokenStoreOptions;

  constructor(options: TokenStoreOptions) {
    this.#options = options;
    for (const [tag, t] of Object.entries(options.tokens)) this.#tokens.set(tag, { ...t });
  }

  /** A usable access token for `keyTag`; waits for a renewal only when there is none still valid. */
  async accessToken(keyTag: string): Promise<string> {
    const current = this.#tokens.get(keyTag);
    if (current === undefined) return this.#renew(keyTag, undefined);
    const now = this.#options.now();
    if (!needsRefresh(current.accessToken, now, this.#options.refreshBeforeMs)) return current.accessToken;
    if (current.refreshToken === undefined && this.#options.issue === undefined) return current.accessToken;
    if (isExpired(current.accessToken, now)) return this.#renew(keyTag, current);
    if (now >= (this.#pauseUntil.get(keyTag) ?? Number.NEGATIVE_INFINITY)) {
      this.#renewInBackground(keyTag, current);
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
    return this.#renew(keyTag, current);
  }

  /** Stores tokens issued elsewhere (e.g. by `createTokenSet`); a refresh in flight will not overwrite them. */
  set(keyTag: string, tokens: KeyTokens): void {
    this.#tokens.set(keyTag, { ...tokens });
    this.#pauseUntil.delete(keyTag);
  }

  #renewInBackground(keyTag: string, from: Readonly<KeyTokens>): void {
    if (this.#inflight.has(keyTag)) return;
    this.#renew(keyTag, from, true).then(
      () => this.#pauseUntil.delete(keyTag),
      () => this.#pauseUntil.set(keyTag, this.#options.now() + (this.#options.retryPauseMs ?? 5_000)),
    );
  }

  /** Single-flight renewal starting from entry `from` (the one the caller judged stale). */
  #renew(keyTag: string, from: Readonly<KeyTokens> | undefined, background = false): Promise<string> {
    const running = this.#inflight.get(keyTag);
    if (running !== undefined) return running;
    const report = (error: unknown) => this.#options.onRenewal?.(keyTag, { error, background });
    const job = this.#doRenew(keyTag, from).then(
      (token) => {
        this.#inflight.delete(keyTag);
        report(undefined);
        return token;
      },
      (error: unknown) => {
        this.#inflight.delete(keyTag);
        report(error);
        throw error;
      },
    );
    this.#inflight.set(keyTag, job);
    return job;
  }

  /** Stores `next` unless the entry changed since `from`; returns the access token now current. */
  #commit(keyTag: string, from: Readonly<KeyTokens> | undefined, next: KeyTokens): string {
    const latest = this.#tokens.get(keyTag);
    if (latest !== from && latest !== undefined) return latest.accessToken; // stored meanwhile: newer
    this.#tokens.set(keyTag, next);
    return next.accessToken;
  }

  async #doRenew(keyTag: string, from: Readonly<KeyTokens> | undefined): Promise<string> {
    const current = this.#tokens.get(keyTag);
    // Someone else renewed or stored tokens between the caller's check and now.
    if (current !== undefined && current !== from) return current.accessToken;
    if (current?.refreshToken !== undefined) {
      try {
        const accessToken = await this.#options.refresh(keyTag, current.refreshToken);
        return this.#commit(keyTag, current, { ...current, accessToken });
      } catch (error) {
        // A revoked or expired refresh token: fall back to a fresh token set if we can.
        if (this.#options.issue === undefined || !(error instanceof KmsUnauthorizedError)) throw error;
      }
    }
    if (this.#options.issue === undefined) {
      throw new KmsUnauthorizedError({ action: "token", keyTag, attempts: 0 });
    }
    const issued = await this.#options.issue(keyTag);
    return this.#commit(keyTag, current, { ...issued });
  }
}
