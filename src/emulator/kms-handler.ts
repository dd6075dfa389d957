import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { runCryptoAction } from "./crypto-actions.js";
import { invalidStatus, unauthorized } from "./errors.js";
import type { FaultInjector } from "./faults.js";
import { parseJson, readBody, sendError, sendSuccess } from "./http-io.js";
import { runKeyAction } from "./key-actions.js";
import type { KeyRecord, Keystore } from "./keystore.js";
import type { Quotas } from "./quota.js";
import { type Route, resolveRoute } from "./routes.js";
import { checkSignature } from "./signature-auth.js";
import type { StatsCounter } from "./stats.js";
import type { TokenService } from "./tokens.js";
import type { EmulatorCredentials } from "./types.js";

/** Everything a KMS request needs; owned by the running emulator. */
export interface KmsContext {
  credentials: EmulatorCredentials;
  keystore: Keystore;
  tokens: TokenService;
  quotas: Quotas;
  faults: FaultInjector;
  stats: StatsCounter;
  now: () => number;
  clockSkewMs: number;
  maxBodyBytes: number;
}

const TOKEN_HEADER = "x-ncp-ocapi-token";

function tokenHeader(req: IncomingMessage): string | undefined {
  const value = req.headers[TOKEN_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

/** Checks the route's auth; returns the key when token auth already looked it up. */
async function authenticate(ctx: KmsContext, route: Route, req: IncomingMessage): Promise<void> {
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  const signature = (version: 1 | 2) =>
    checkSignature(version, method, target, req.headers, ctx.credentials, ctx.now(), ctx.clockSkewMs);
  switch (route.auth) {
    case "signature-v1":
      return signature(1);
    case "signature-v2":
      return signature(2);
    case "signature-v2-or-token": {
      const token = tokenHeader(req);
      if (token === undefined) return signature(2);
      return ctx.tokens.check(token, "ACCESS", ctx.keystore.get(route.keyTag!), req.socket.remoteAddress);
    }
    case "refresh-token": {
      const token = tokenHeader(req);
      if (token === undefined) throw unauthorized(`missing ${TOKEN_HEADER} header (the refresh token)`);
      return ctx.tokens.check(token, "REFRESH", ctx.keystore.get(route.keyTag!), req.socket.remoteAddress);
    }
  }
}

async function runRoute(ctx: KmsContext, route: Route, req: IncomingMessage, onThrottle: () => void) {
  const body = await readBody(req, ctx.maxBodyBytes);
  await authenticate(ctx, route, req);
  if (!route.crypto)
    return { data: await runKeyAction(route.action, route.keyTag, parseJson(body), ctx), values: 0 };
  const key: KeyRecord = ctx.keystore.get(route.keyTag!);
  try {
    ctx.quotas.take(route.api, key.keyTag);
  } catch (error) {
    onThrottle();
    throw error;
  }
  if (key.status !== "ENABLED") throw invalidStatus("the key is disabled");
  return runCryptoAction(route.action, key, parseJson(body));
}

/**
 * One KMS request, start to end: fault injection and latency, route, body
 * (capped), auth, quota, key status, action. Every failure becomes an NCP
 * error body; nothing here can crash the server.
 */
export async function handleKmsRequest(
  ctx: KmsContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let throttled = false;
  let route: Route | undefined;
  try {
    route = resolveRoute(req.method ?? "GET", (req.url ?? "/").split("?", 1)[0]!);
  } catch (error) {
    // Unknown path or wrong method: still a request, with no action or key.
    route = undefined;
    ctx.stats.request(undefined, undefined);
    ctx.stats.error(sendError(res, error), false);
    return;
  }
  ctx.stats.request(route.action, route.keyTag);
  if (ctx.faults.takeDrop()) {
    req.socket.destroy();
    return;
  }
  if (ctx.faults.latencyMs > 0) await sleep(ctx.faults.latencyMs);
  try {
    const injected = ctx.faults.takeFailure(route.action);
    if (injected !== undefined) throw injected;
    const result = await runRoute(ctx, route, req, () => {
      throttled = true;
    });
    ctx.stats.values(result.values, route.action);
    sendSuccess(res, result.data);
  } catch (error) {
    ctx.stats.error(sendError(res, error), throttled);
  }
}
