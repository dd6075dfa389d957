import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { NCP_RESPONSE_CODES } from "../errors.js";
import { KmsResponseError, notFound } from "./errors.js";
import { parseJson, readBody, sendError, sendSuccess } from "./http-io.js";
import { parseBody } from "./request-schemas.js";
import type { RunningEmulator } from "./types.js";

/** Prefix of the admin routes; NCP serves nothing under it. */
export const ADMIN_PREFIX = "/__emulator/";

const status = z.int().min(400).max(599);
const code = z.enum(NCP_RESPONSE_CODES);
const faultsBody = z.strictObject({
  failNext: z
    .strictObject({
      count: z.int().min(0),
      status,
      code: code.optional(),
      retryAfterSeconds: z.int().min(0).optional(),
      action: z.string().optional(),
    })
    .optional(),
  failFraction: z
    .strictObject({ fraction: z.number().min(0).max(1), status, code: code.optional() })
    .optional(),
  dropNext: z.int().min(0).optional(),
  latencyMs: z.number().min(0).optional(),
});
const quotaBody = z.strictObject({
  tpsV1: z.number().positive().optional(),
  tpsV2: z.number().positive().optional(),
});
const createKeyBody = z.strictObject({
  keyName: z.string(),
  keyType: z.enum(["AES256", "RSA2048", "ECDSA"]).optional(),
  isConvergent: z.boolean().optional(),
});
const tokensBody = z.strictObject({
  accessTtlSeconds: z.int().min(1).optional(),
  refreshTtlSeconds: z.int().min(1).optional(),
});
const ipAclBody = z.strictObject({ enabled: z.boolean(), allow: z.array(z.string()) });

/** The in-process API the admin routes drive. */
export type AdminTarget = Omit<RunningEmulator, "url" | "credentials" | "close">;

async function route(target: AdminTarget, method: string, path: string, body: unknown): Promise<unknown> {
  const key = /^keys\/([A-Za-z0-9_-]{1,128})\/(.+)$/.exec(path);
  const wrongMethod = () =>
    new KmsResponseError(405, "INVALID_REQUEST", "wrong method for this admin route", {});
  const is = (wanted: string) => {
    if (method !== wanted) throw wrongMethod();
  };
  if (key !== null) {
    const keyTag = key[1]!;
    const rest = key[2]!;
    switch (rest) {
      case "rotate":
        is("POST");
        return target.rotateKey(keyTag);
      case "enable":
      case "disable":
        is("POST");
        await target.setKeyEnabled(keyTag, rest === "enable");
        return {};
      case "token-creator/replace":
        is("POST");
        await target.replaceTokenCreator(keyTag);
        return {};
      case "token-creator/disable":
        is("POST");
        await target.disableTokenCreator(keyTag);
        return {};
      case "tokens":
        is("POST");
        return target.issueTokens(keyTag, parseBody(tokensBody, body ?? {}));
      case "ip-acl":
        is("PUT");
        await target.setIpAcl(keyTag, parseBody(ipAclBody, body));
        return {};
    }
    throw notFound("no such admin route");
  }
  switch (path) {
    case "health":
      is("GET");
      return { ok: true };
    case "stats":
      is("GET");
      return target.stats();
    case "stats/reset":
      is("POST");
      target.resetStats();
      return {};
    case "faults":
      if (method === "DELETE") {
        target.faults.clear();
        return {};
      }
      is("POST");
      {
        const spec = parseBody(faultsBody, body);
        if (spec.failNext) target.faults.failNext(spec.failNext.count, spec.failNext);
        if (spec.failFraction) target.faults.failFraction(spec.failFraction.fraction, spec.failFraction);
        if (spec.dropNext !== undefined) target.faults.dropNext(spec.dropNext);
        if (spec.latencyMs !== undefined) target.faults.setLatency(spec.latencyMs);
      }
      return {};
    case "quota":
      is("POST");
      target.setQuota(parseBody(quotaBody, body));
      return {};
    case "keys":
      if (method === "GET") return target.listKeys();
      is("POST");
      return target.createKey(parseBody(createKeyBody, body));
  }
  throw notFound("no such admin route");
}

/**
 * Admin routes under `/__emulator/` (see README.md). No auth: the emulator is
 * a local development tool; turn them off with `admin: false`. Not counted in
 * stats, never delayed or faulted.
 */
export async function handleAdminRequest(
  target: AdminTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const path = (req.url ?? "/").split("?", 1)[0]!.slice(ADMIN_PREFIX.length);
    const body = parseJson(await readBody(req, 64 * 1024));
    sendSuccess(res, (await route(target, req.method ?? "GET", path, body)) ?? {});
  } catch (error) {
    sendError(res, error);
  }
}
