/**
 * Auth layers. `authLayer` puts the signature or token headers on each
 * attempt right before it is sent (below the limiter, so a signature's
 * timestamp is the send time). `tokenRenewalLayer` (above the limiter) renews
 * an access token the server rejected with 401, once, and sends again — which
 * takes a new limiter slot.
 */
import { KmsUnauthorizedError } from "../errors.js";
import { signatureHeaders } from "../signing.js";
import type { TokenStore } from "../token-auth.js";
import type { Layer } from "./call.js";

export function authLayer(deps: {
  /** Wall clock (epoch ms), for signature timestamps. */
  now: () => number;
  tokens: () => TokenStore | undefined;
}): Layer {
  return (next) => async (call) => {
    const { spec } = call;
    const a = spec.auth;
    if (a.kind === "signature") {
      call.headers = signatureHeaders(a.version, a.credentials, spec.method, spec.path, deps.now());
    } else if (a.kind === "refresh-token") {
      call.headers = { "x-ncp-ocapi-token": a.refreshToken };
    } else {
      const token = await deps.tokens()!.accessToken(spec.keyTag!);
      call.headers = { "x-ncp-ocapi-token": token };
      call.usedToken = token;
    }
    return next(call);
  };
}

export function tokenRenewalLayer(deps: { tokens: () => TokenStore | undefined }): Layer {
  return (next) => async (call) => {
    try {
      return await next(call);
    } catch (error) {
      const used = call.usedToken;
      if (!(error instanceof KmsUnauthorizedError) || call.spec.auth.kind !== "token" || used === undefined) {
        throw error;
      }
      const fresh = await deps.tokens()!.afterUnauthorized(call.spec.keyTag!, used);
      if (fresh === undefined) throw error;
      return next(call); // the auth layer picks up the renewed token
    }
  };
}
