/**
 * `startApi`: tables, Prisma client and HTTP server in one call, for the
 * runnable entries (`server.ts` here, `../real-ncp/main.ts`) and the tests.
 */
import type { KmsCrypto } from "../../src/index.js";
import { type ApiServer, createServer } from "./app.js";
import { createPrisma } from "./prisma.js";
import { ensureSchema } from "./schema.js";

/** Options of {@link startApi}. */
export interface StartApiOptions {
  /** PostgreSQL connection URL. */
  databaseUrl: string;
  /** The KMS client. Not closed by `close()`: whoever created it closes it. */
  kms: KmsCrypto;
  /** Key tags for `default` and `searchable` (convergent). */
  keys: { default: string; searchable: string };
  /** TCP port. Defaults to `0`. */
  port?: number;
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /** One line per request (no bodies, no query strings). Defaults to none. */
  log?: (line: string) => void;
}

/** Creates missing tables, then serves the API; `close()` also disconnects Prisma. */
export async function startApi(options: StartApiOptions): Promise<ApiServer> {
  await ensureSchema(options.databaseUrl);
  const prisma = createPrisma(options);
  let server: ApiServer;
  try {
    server = await createServer({
      prisma,
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  } catch (error) {
    await prisma.$disconnect();
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    async close() {
      await server.close();
      await prisma.$disconnect();
    },
  };
}
