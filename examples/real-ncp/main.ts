/**
 * The HTTP API of `../http-api`, pointed at real NCP KMS purely by
 * environment variables (README.md lists them). Nothing here differs
 * between the emulator and NCP but the variables.
 *
 * Run: `npx tsx examples/real-ncp/main.ts`
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { ApiServer } from "../http-api/app.js";
import { startApi } from "../http-api/start.js";
import { checkKeys } from "./check.js";
import { connectKms, type Env, loadConfig } from "./config.js";

/** Options of {@link startRealNcpApp}. */
export interface RealNcpAppOptions {
  /** One line per request. Defaults to none. */
  log?: (line: string) => void;
}

/** Reads `env`, checks both keys against the KMS, and serves the API. `close()` stops it all. */
export async function startRealNcpApp(env: Env, options: RealNcpAppOptions = {}): Promise<ApiServer> {
  const config = loadConfig(env);
  const connection = connectKms(config);
  try {
    await checkKeys(connection.kms, config.keys);
    const api = await startApi({
      databaseUrl: config.databaseUrl,
      kms: connection.kms,
      keys: config.keys,
      port: config.port,
      host: config.host,
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    return {
      url: api.url,
      port: api.port,
      async close() {
        await api.close();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function run(): Promise<void> {
  const app = await startRealNcpApp(process.env, { log: (line) => console.log(line) });
  console.log(`Listening on ${app.url} (KMS ${loadConfig(process.env).kms.endpoint})`);
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((error: unknown) => {
    // Our errors' messages name variables, never values.
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
