/**
 * Runnable entry of the HTTP API: `npx tsx examples/http-api/server.ts`.
 *
 * With no NCP_* variable set, an NCP KMS emulator starts in this process with
 * two fresh keys (lost on exit: so are the rows' meaning, since nothing else
 * can decrypt them). With any of them set, the KMS settings come from the
 * environment exactly as in `../real-ncp` (see its README for each variable).
 * `DATABASE_URL` defaults to `postgresql://postgres@127.0.0.1:5432/test`,
 * `PORT` to 3000; missing tables are created on start.
 */
import process from "node:process";
// An app imports this from "prisma-ncp-kms/emulator".
import { startEmulator } from "../../src/emulator/index.js";
import { createKmsClient } from "../../src/index.js";
import { DEFAULT_DATABASE_URL, type Env } from "../real-ncp/config.js";
import { startRealNcpApp } from "../real-ncp/main.js";
import type { ApiServer } from "./app.js";
import { startApi } from "./start.js";

const KMS_VARIABLES = [
  "NCP_KMS_ENDPOINT",
  "NCP_ACCESS_KEY",
  "NCP_SECRET_KEY",
  "NCP_KMS_KEY_DEFAULT",
  "NCP_KMS_KEY_SEARCHABLE",
  "NCP_KMS_AUTH",
];

function usesConfiguredKms(env: Env): boolean {
  return Object.keys(env).some(
    (name) => (KMS_VARIABLES.includes(name) || name.startsWith("NCP_KMS_ACCESS_TOKEN_")) && env[name],
  );
}

async function withEmulator(env: Env, log: (line: string) => void): Promise<ApiServer> {
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new Error("PORT must be an integer from 0 to 65535");
  }
  const emulator = await startEmulator({ port: 0 });
  const defaultKey = await emulator.createKey({ keyName: "api-default" });
  const searchKey = await emulator.createKey({ keyName: "api-search", isConvergent: true });
  const kms = createKmsClient({
    endpoint: emulator.url,
    auth: { type: "signature", ...emulator.credentials },
  });
  const closeKms = async () => {
    await kms.close();
    await emulator.close();
  };
  let api: ApiServer;
  try {
    api = await startApi({
      databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
      kms,
      keys: { default: defaultKey.keyTag, searchable: searchKey.keyTag },
      port,
      log,
    });
  } catch (error) {
    await closeKms();
    throw error;
  }
  console.log(`KMS: in-process emulator at ${emulator.url} (keys live until exit)`);
  return {
    ...api,
    async close() {
      await api.close();
      await closeKms();
    },
  };
}

async function run(): Promise<void> {
  const log = (line: string) => console.log(line);
  let api: ApiServer;
  if (usesConfiguredKms(process.env)) {
    api = await startRealNcpApp(process.env, { log });
    console.log(`KMS: ${process.env.NCP_KMS_ENDPOINT || "https://ocapi.ncloud.com"} (from NCP_* variables)`);
  } else {
    api = await withEmulator(process.env, log);
  }
  console.log(`Listening on ${api.url}`);
  console.log(
    `  curl -s -X POST ${api.url}/users -H 'content-type: application/json' -d '{"email":"alice@example.com","name":"Alice","phone":"+82-10-1234-5678"}'`,
  );
  console.log(`  curl -s '${api.url}/users/by-email?email=alice@example.com'`);
  const stop = () => {
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

run().catch((error: unknown) => {
  // Our errors' messages name variables and codes, never values.
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
