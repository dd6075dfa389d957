/**
 * `createServer`: the HTTP API on plain `node:http` — routing, error mapping
 * and a log line per request. The route logic lives in `users.ts`.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorResponse } from "./error-response.js";
import { readJsonBody, sendJson } from "./http-io.js";
import type { AppPrisma } from "./prisma.js";
import { createUser, findUserByEmail, findUserById, type RouteResult } from "./users.js";

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** The extended Prisma client (`createPrisma`). */
  prisma: AppPrisma;
  /** TCP port. Defaults to `0` (an ephemeral port; read it from `url`). */
  port?: number;
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /**
   * Receives one line per request: method, path (without the query string,
   * which may hold an email), status and error code. Defaults to none.
   */
  log?: (line: string) => void;
}

/** A listening API server. */
export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  port: number;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

const notFound: RouteResult = { status: 404, body: { error: "ROUTE_NOT_FOUND" } };
const methodNotAllowed: RouteResult = { status: 405, body: { error: "METHOD_NOT_ALLOWED" } };

async function route(prisma: AppPrisma, req: IncomingMessage, url: URL): Promise<RouteResult> {
  const path = url.pathname;
  if (path === "/users") {
    if (req.method !== "POST") return methodNotAllowed;
    const body = await readJsonBody(req);
    if (!body.ok) return { status: body.status, body: { error: body.error } };
    return createUser(prisma, body.value);
  }
  if (path === "/users/by-email") {
    return req.method === "GET" ? findUserByEmail(prisma, url.searchParams.get("email")) : methodNotAllowed;
  }
  const byId = /^\/users\/(\d+)$/.exec(path);
  if (byId !== null) return req.method === "GET" ? findUserById(prisma, byId[1]!) : methodNotAllowed;
  return notFound;
}

async function handle(options: CreateServerOptions, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://localhost");
  let result: RouteResult;
  let code: string | undefined;
  try {
    result = await route(options.prisma, req, url);
    const body = result.body as { error?: unknown };
    if (result.status >= 400 && typeof body.error === "string") code = body.error;
  } catch (error) {
    const mapped = errorResponse(error);
    code = mapped.code;
    result = { status: mapped.status, body: { error: mapped.code } };
  }
  sendJson(res, result.status, result.body);
  options.log?.(`${req.method} ${url.pathname} ${result.status}${code === undefined ? "" : ` ${code}`}`);
}

/** Starts the API: `POST /users`, `GET /users/by-email?email=…`, `GET /users/:id`. */
export async function createServer(options: CreateServerOptions): Promise<ApiServer> {
  const server = createHttpServer((req, res) => {
    handle(options, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
