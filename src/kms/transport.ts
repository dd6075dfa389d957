/**
 * The HTTP layer: undici keep-alive connections, one timeout per request,
 * JSON in and out. Maps socket failures and timeouts to typed errors; never
 * puts the request body (which holds plaintext) into an error.
 */
import { Agent, type Dispatcher, request } from "undici";
import {
  KmsConnectionError,
  KmsInvalidResponseError,
  KmsResponseTooLargeError,
  KmsTimeoutError,
} from "./errors.js";

/** One request as the client builds it. */
export interface HttpRequest {
  method: "GET" | "POST";
  /** Path with query, e.g. `/kms/v1/keys/abc/encrypt`. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  /** For error details only. */
  action: string;
  keyTag?: string | undefined;
}

/** A response with its JSON body (`undefined` when the body was not JSON). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Base URL (origin plus optional path prefix). */
  endpoint: string;
  timeoutMs: number;
  /** Largest response body read, in bytes; a longer one fails with `KmsResponseTooLargeError`. */
  maxResponseBytes: number;
  /** Keep-alive connections to open; used only for the dispatcher we create. */
  connections: number;
  /** Bring your own undici dispatcher (not closed by `close()`). */
  dispatcher?: Dispatcher | undefined;
}

/** Creates the transport; owns (and later closes) an undici `Agent` unless one is given. */
export function createTransport(options: TransportOptions): Transport {
  const base = options.endpoint.replace(/\/+$/, "");
  const owned = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({ connections: options.connections, keepAliveTimeout: 30_000, pipelining: 1 });

  async function send(req: HttpRequest): Promise<HttpResponse> {
    const details = { action: req.action, keyTag: req.keyTag };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    try {
      const res = await request(`${base}${req.path}`, {
        method: req.method,
        headers: { accept: "application/json", "content-type": "application/json", ...req.headers },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        dispatcher,
        signal: controller.signal,
      });
      const text = await readCapped(res, options.maxResponseBytes, details);
      let json: unknown;
      try {
        json = text === "" ? undefined : JSON.parse(text);
      } catch {
        // A non-JSON body (e.g. an HTML error page from a proxy) is judged by the caller from the status.
        json = undefined;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          throw new KmsInvalidResponseError({ ...details, status: res.statusCode }, "body is not JSON");
        }
      }
      return { status: res.statusCode, headers: res.headers, json };
    } catch (error) {
      if (error instanceof KmsInvalidResponseError || error instanceof KmsResponseTooLargeError) throw error;
      if (timedOut) throw new KmsTimeoutError({ ...details, timeoutMs: options.timeoutMs });
      const cause = sanitizeCause(error);
      throw new KmsConnectionError({ ...details, cause, requestNotSent: neverSent(cause) });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    send,
    async close() {
      if (owned) await dispatcher.close();
    },
  };
}

/**
 * Reads the body as UTF-8, at most `limit` bytes: a larger declared
 * `content-length` is refused before reading, and a stream that grows past
 * the limit is destroyed (closing the connection), so memory stays bounded.
 */
async function readCapped(
  res: Dispatcher.ResponseData,
  limit: number,
  details: { action: string; keyTag: string | undefined },
): Promise<string> {
  const tooLarge = () => {
    res.body.destroy();
    return new KmsResponseTooLargeError({ ...details, status: res.statusCode, limitBytes: limit });
  };
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = chunk as Buffer;
    size += buf.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/**
 * Socket error codes that mean no connection was ever made, so the server
 * cannot have seen the request. A reset or close on an open connection is
 * not among them: the request may have arrived and been acted on.
 */
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function neverSent(cause: Error): boolean {
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" && NOT_CONNECTED.has(code);
}

/** Keeps only the name/code/message of a socket error (undici errors can hold the request). */
function sanitizeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error("connection error");
  const clean = new Error(error.message);
  clean.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(clean, { code });
  return clean;
}
