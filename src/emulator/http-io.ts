import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidRequest, KmsResponseError } from "./errors.js";

/** Largest request body accepted by default: far above the 32 KB encrypt limit in base64 plus JSON overhead. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Over the body cap: a 400 per the contract's "over a size limit" row, and the connection is closed. */
function tooLarge(cap: number): KmsResponseError {
  return new KmsResponseError(400, "INVALID_REQUEST", `request body is over ${cap} bytes`, {
    connection: "close",
  });
}

/**
 * Reads the request body, refusing it as soon as it passes `cap` bytes
 * (by `Content-Length` before reading anything, or while streaming): the rest
 * is never buffered, and the connection is closed after the error response.
 */
export function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > cap) {
    req.pause();
    return Promise.reject(tooLarge(cap));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Takes a factory: building an Error captures a stack, which is too
    // costly to do on every request's normal 'close'.
    const fail = (error: () => Error) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      req.pause();
      reject(error());
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > cap) fail(() => tooLarge(cap));
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("error", (error) => fail(() => error));
    req.on("close", () => fail(() => invalidRequest("request aborted")));
  });
}

/** Parses a JSON body; empty means `undefined`. Malformed JSON is a 400 that does not quote the body. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw invalidRequest("request body is not valid JSON");
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json;charset=UTF-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendSuccess(res: ServerResponse, data: unknown): void {
  sendJson(res, 200, { code: "SUCCESS", msg: "", data });
}

/** Sends an error as `{ code, msg }`; anything that is not a KmsResponseError is a bare 500, no details. */
export function sendError(res: ServerResponse, error: unknown): number {
  if (error instanceof KmsResponseError) {
    sendJson(res, error.status, { code: error.code, msg: error.message }, error.headers);
    return error.status;
  }
  sendJson(res, 500, { code: "INTERNAL_SERVER_ERROR", msg: "internal error in the emulator" });
  return 500;
}
