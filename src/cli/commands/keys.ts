/**
 * `prisma-ncp-kms keys create|list|rotate`: key management through the KMS
 * client, against the emulator or real NCP KMS (API 2.0, account auth).
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { createKmsClient, isKmsKeyType, type KeyInfo, type KmsClient } from "../../kms/index.js";

export const help = `Usage: prisma-ncp-kms keys <create|list|rotate> [options]

  keys create --name <keyName> [--type AES256|RSA2048|ECDSA] [--convergent]
  keys list
  keys rotate --tag <keyTag>

Options:
  --json        print JSON instead of text
  -h, --help    show this help

Environment:
  NCP_KMS_ENDPOINT  base URL, e.g. the emulator's http://127.0.0.1:9000
                    (defaults to https://ocapi.ncloud.com)
  NCP_ACCESS_KEY    NCP account (or sub account) access key   (required)
  NCP_SECRET_KEY    NCP account (or sub account) secret key   (required)`;

function fail(message: string): number {
  process.stderr.write(`prisma-ncp-kms keys: ${message}\n\n${help}\n`);
  return 2;
}

function line(key: KeyInfo): string {
  const flags = key.isConvergent ? " convergent" : "";
  return `${key.keyTag}  ${key.keyName ?? ""}  ${key.keyType ?? ""}  ${key.status ?? ""}${flags}`;
}

async function execute(
  client: KmsClient,
  sub: string,
  values: { name?: string; type?: string; convergent?: boolean; tag?: string },
): Promise<{ json: unknown; text: string } | string> {
  if (sub === "create") {
    if (values.name === undefined) return "--name is required";
    const keyType = values.type ?? "AES256";
    if (!isKmsKeyType(keyType)) return "--type must be AES256, RSA2048 or ECDSA";
    const key = await client.createKey({
      keyName: values.name,
      keyType,
      isConvergent: values.convergent ?? false,
    });
    return { json: key, text: line(key) };
  }
  if (sub === "list") {
    const keys = await client.listKeys();
    return { json: keys, text: keys.length === 0 ? "(no keys)" : keys.map(line).join("\n") };
  }
  if (sub === "rotate") {
    if (values.tag === undefined) return "--tag is required";
    const rotated = await client.rotateKey(values.tag);
    return { json: rotated, text: `${rotated.keyTag} rotated to version ${rotated.version}` };
  }
  return `unknown subcommand '${sub}'`;
}

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseKeysArgs>;
  try {
    parsed = parseKeysArgs(argv);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const [sub] = parsed.positionals;
  if (sub === undefined) return fail("a subcommand is required");
  const accessKey = process.env.NCP_ACCESS_KEY;
  const secretKey = process.env.NCP_SECRET_KEY;
  if (!accessKey || !secretKey) return fail("set NCP_ACCESS_KEY and NCP_SECRET_KEY");
  const endpoint = process.env.NCP_KMS_ENDPOINT || undefined;
  const client = createKmsClient({ endpoint, auth: { type: "signature", accessKey, secretKey } });
  try {
    const result = await execute(client, sub, parsed.values);
    if (typeof result === "string") return fail(result);
    process.stdout.write(`${parsed.values.json ? JSON.stringify(result.json, null, 2) : result.text}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

function parseKeysArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      type: { type: "string" },
      convergent: { type: "boolean" },
      tag: { type: "string" },
      json: { type: "boolean" },
    },
  });
}
