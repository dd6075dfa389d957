/**
 * `prisma-ncp-kms emulator`: runs the local NCP KMS emulator until SIGINT or
 * SIGTERM. Printing the emulator's own throwaway credentials is the point of
 * this command: they exist only for this local server.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { type KeyInfo, type KeyType, startEmulator } from "../../emulator/index.js";

export const help = `Usage: prisma-ncp-kms emulator [options]

Runs a local NCP KMS emulator (same HTTP API as NCP KMS, API 1.0 and 2.0).

Options:
  --host <host>            interface to listen on (default 127.0.0.1)
  --port <port>            port (default 0: an ephemeral port, printed at start)
  --data-dir <dir>         keep keys and credentials in this directory (default: in memory)
  --tps-v1 <n>             API 1.0 quota per account, requests/s (default 200)
  --tps-v2 <n>             API 2.0 quota per key, requests/s (default 300)
  --latency-ms <n>         latency added to every request (default 0)
  --create-key <spec>      create a key at start; repeatable. spec: name[:convergent|:rsa|:ecdsa]
                           (with --data-dir, an existing key of that name is reused)
  --no-admin               do not serve the /__emulator/ admin routes
  -h, --help               this text

Prints the URL, the credentials and the environment lines to paste
(NCP_KMS_ENDPOINT, NCP_ACCESS_KEY, NCP_SECRET_KEY, NCP_API_GATEWAY_KEY, and
NCP_KMS_KEYS=name=keyTag,... for the keys made with --create-key).`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number`);
  return parsed;
}

function keySpec(spec: string): { keyName: string; keyType: KeyType; isConvergent: boolean } {
  const [keyName = "", flag] = spec.split(":");
  switch (flag) {
    case undefined:
      return { keyName, keyType: "AES256", isConvergent: false };
    case "convergent":
      return { keyName, keyType: "AES256", isConvergent: true };
    case "rsa":
      return { keyName, keyType: "RSA2048", isConvergent: false };
    case "ecdsa":
      return { keyName, keyType: "ECDSA", isConvergent: false };
    default:
      throw new Error(`--create-key: unknown flag ':${flag}' (use :convergent, :rsa or :ecdsa)`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "tps-v1": { type: "string" },
      "tps-v2": { type: "string" },
      "latency-ms": { type: "string" },
      "create-key": { type: "string", multiple: true },
      "no-admin": { type: "boolean" },
    },
    strict: true,
  });
  const emulator = await startEmulator({
    host: values.host,
    port: number("port", values.port),
    dataDir: values["data-dir"],
    tpsV1: number("tps-v1", values["tps-v1"]),
    tpsV2: number("tps-v2", values["tps-v2"]),
    latencyMs: number("latency-ms", values["latency-ms"]),
    admin: values["no-admin"] !== true,
  });

  const created: KeyInfo[] = [];
  try {
    for (const spec of values["create-key"] ?? []) {
      const wanted = keySpec(spec);
      const info = await emulator.createKey(wanted).catch(async (error: unknown) => {
        // With --data-dir the key may exist from an earlier run: reuse it.
        const existing = emulator.listKeys().find((key) => key.keyName === wanted.keyName);
        if (existing === undefined) throw error;
        return existing;
      });
      created.push(info);
    }
  } catch (error) {
    await emulator.close();
    throw error;
  }

  const { url, credentials } = emulator;
  const lines = [
    `NCP KMS emulator listening on ${url}`,
    "",
    "Credentials (throwaway, for this emulator only):",
    `  access key       ${credentials.accessKey}`,
    `  secret key       ${credentials.secretKey}`,
    `  API gateway key  ${credentials.apiGatewayKey}`,
    "",
    "Environment:",
    `NCP_KMS_ENDPOINT=${url}`,
    `NCP_ACCESS_KEY=${credentials.accessKey}`,
    `NCP_SECRET_KEY=${credentials.secretKey}`,
    `NCP_API_GATEWAY_KEY=${credentials.apiGatewayKey}`,
  ];
  if (created.length > 0) {
    // Key names → tags, as ncpKmsEncryption's `keys` (kmsKeysFromEnv) and `migrate` read them.
    lines.push(`NCP_KMS_KEYS=${created.map((key) => `${key.keyName}=${key.keyTag}`).join(",")}`);
    lines.push("", "Keys:");
    for (const key of created) {
      lines.push(
        `  ${key.keyName.padEnd(16)} ${key.keyTag}  ${key.keyType}${key.isConvergent ? " convergent" : ""}`,
      );
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await emulator.close();
  process.stdout.write("NCP KMS emulator stopped.\n");
  return 0;
}
