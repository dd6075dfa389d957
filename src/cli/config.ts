/**
 * Configuration shared by CLI commands: a config module (`--config`, a
 * JS or TS file; TS is loaded through tsx), the KMS settings from the
 * environment, and finding the encryption map and Prisma client from a
 * `schema.prisma` (`--schema`). The only place besides the commands that
 * reads `process.env`. Nothing here logs or echoes a secret.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { NcpKmsError } from "../errors.js";
import type { KmsClientOptions } from "../kms/index.js";
import type { EncryptionMap } from "../schema/map.js";

/** A config file could not be loaded or has the wrong shape (names the file and the export). */
export class CliConfigError extends NcpKmsError {
  constructor(message: string) {
    super("CLI_CONFIG", message);
  }
}

/** What a config module exports (named exports or a default export object). */
export interface CliConfig {
  /** Creates the app's generated, unextended PrismaClient. */
  prisma?: () => unknown;
  /** The generated encryption map. */
  map?: EncryptionMap;
  /** Key tag per key name (`default`, `searchable`, ...). */
  keys?: Record<string, string>;
  /** KMS client options; merged over the ones from the environment. */
  kms?: Partial<KmsClientOptions>;
}

const configShape = z.object({
  prisma: z
    .custom<() => unknown>((v) => typeof v === "function", "expected a function returning a PrismaClient")
    .optional(),
  map: z
    .custom<EncryptionMap>(
      (v) => typeof v === "object" && v !== null && typeof (v as { models?: unknown }).models === "object",
      "expected the generated encryption map",
    )
    .optional(),
  keys: z.record(z.string(), z.string().min(1)).optional(),
  kms: z
    .custom<Partial<KmsClientOptions>>((v) => typeof v === "object" && v !== null, "expected an object")
    .optional(),
});

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx"]);

/** Imports a JS or TS module by path (TS through tsx, which is a dependency). */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new CliConfigError(`Config file not found: ${absolute}`);
  if (TS_EXTENSIONS.has(extname(absolute))) {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
}

/** Loads and checks a config module. */
export async function loadConfigFile(path: string): Promise<CliConfig> {
  const mod = await importModule(path);
  const fromDefault = typeof mod.default === "object" && mod.default !== null ? (mod.default as object) : {};
  const candidate = { ...fromDefault, ...mod };
  const picked = { prisma: candidate.prisma, map: candidate.map, keys: candidate.keys, kms: candidate.kms };
  const parsed = configShape.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliConfigError(`Config file ${path}: export '${issue.path.join(".")}' ${issue.message}`);
  }
  return parsed.data;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * KMS client options from the environment: `NCP_KMS_ENDPOINT`,
 * `NCP_ACCESS_KEY`, `NCP_SECRET_KEY`, `NCP_API_GATEWAY_KEY` (API 1.0
 * signature v1), `NCP_KMS_API` (`v2` or `v1`), `NCP_KMS_TPS`. `override`
 * (the config file's `kms`) wins field by field.
 */
export function kmsOptionsFromEnv(env: Env, override: Partial<KmsClientOptions> = {}): KmsClientOptions {
  const api =
    env.NCP_KMS_API === "v1" ? "v1" : env.NCP_KMS_API === "v2" || env.NCP_KMS_API === undefined ? "v2" : null;
  if (api === null) throw new CliConfigError("NCP_KMS_API must be v1 or v2");
  const tps = env.NCP_KMS_TPS === undefined || env.NCP_KMS_TPS === "" ? undefined : Number(env.NCP_KMS_TPS);
  if (tps !== undefined && !(tps > 0)) throw new CliConfigError("NCP_KMS_TPS must be a number above 0");
  const fromEnv: Partial<KmsClientOptions> = { api };
  if (env.NCP_KMS_ENDPOINT) fromEnv.endpoint = env.NCP_KMS_ENDPOINT;
  if (tps !== undefined) fromEnv.tps = tps;
  if (env.NCP_ACCESS_KEY && env.NCP_SECRET_KEY) {
    const gatewayKey = env.NCP_API_GATEWAY_KEY || undefined;
    fromEnv.auth = {
      type: "signature",
      accessKey: env.NCP_ACCESS_KEY,
      secretKey: env.NCP_SECRET_KEY,
      ...(gatewayKey !== undefined && api === "v1"
        ? { apiGatewayKey: gatewayKey, signatureVersion: 1 as const }
        : {}),
    };
  }
  const merged = { ...fromEnv, ...override };
  if (merged.auth === undefined) {
    throw new CliConfigError(
      "No KMS credentials: set NCP_ACCESS_KEY and NCP_SECRET_KEY, or `kms.auth` in the config file",
    );
  }
  return merged as KmsClientOptions;
}

/** `NCP_KMS_KEYS=default=<tag>,searchable=<tag>` or `--key name=tag` entries → key map. */
export function parseKeyList(entries: readonly string[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const entry of entries.flatMap((e) => e.split(","))) {
    const trimmed = entry.trim();
    if (trimmed === "") continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0 || eq === trimmed.length - 1)
      throw new CliConfigError(`Expected name=keyTag, got '${trimmed}'`);
    keys[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return keys;
}

interface GeneratorBlock {
  name: string;
  provider: string;
  output: string | undefined;
}

function generatorBlocks(schema: string): GeneratorBlock[] {
  const blocks: GeneratorBlock[] = [];
  for (const match of schema.matchAll(/generator\s+(\w+)\s*\{([^}]*)\}/g)) {
    const body = match[2]!;
    const provider = /provider\s*=\s*"([^"]*)"/.exec(body)?.[1] ?? "";
    const output = /output\s*=\s*"([^"]*)"/.exec(body)?.[1];
    blocks.push({ name: match[1]!, provider, output });
  }
  return blocks;
}

function datasourceProvider(schema: string): string | undefined {
  return /datasource\s+\w+\s*\{[^}]*provider\s*=\s*"([^"]*)"/.exec(schema)?.[1];
}

/**
 * The encryption map a schema's `prisma-ncp-kms` generator wrote:
 * `<output>/encryption-map.json` (output defaults to `./encryption`, relative
 * to the schema file).
 */
export async function loadMapFromSchema(schemaPath: string): Promise<EncryptionMap> {
  const text = await readFile(schemaPath, "utf8").catch(() => {
    throw new CliConfigError(`Schema not found: ${schemaPath}`);
  });
  const block = generatorBlocks(text).find(
    (b) => b.provider.includes("prisma-ncp-kms") || /\bgenerate$/.test(b.provider),
  );
  if (block === undefined) throw new CliConfigError(`${schemaPath} has no prisma-ncp-kms generator block`);
  const dir = resolve(dirname(schemaPath), block.output ?? "./encryption");
  const file = join(dir, "encryption-map.json");
  if (!existsSync(file))
    throw new CliConfigError(`No encryption map at ${file}; run 'prisma generate' first`);
  return JSON.parse(await readFile(file, "utf8")) as EncryptionMap;
}

/**
 * A PrismaClient built from a schema's `prisma-client` generator output and
 * the driver adapter for its datasource provider, on `DATABASE_URL`.
 */
export async function prismaFromSchema(schemaPath: string, env: Env): Promise<unknown> {
  const text = await readFile(schemaPath, "utf8");
  const block = generatorBlocks(text).find(
    (b) => b.provider === "prisma-client" || b.provider === "prisma-client-js",
  );
  if (block?.output === undefined) {
    throw new CliConfigError(
      `${schemaPath}: no 'prisma-client' generator with an output; use --config instead`,
    );
  }
  const url = env.DATABASE_URL;
  if (!url) throw new CliConfigError("Set DATABASE_URL (or use --config) to connect with --schema");
  const out = isAbsolute(block.output) ? block.output : resolve(dirname(schemaPath), block.output);
  const entry = ["client.ts", "client.js", "index.js"].map((f) => join(out, f)).find((f) => existsSync(f));
  if (entry === undefined)
    throw new CliConfigError(`No generated client in ${out}; run 'prisma generate' first`);
  const { PrismaClient } = (await importModule(entry)) as {
    PrismaClient?: new (o: { adapter: unknown }) => unknown;
  };
  if (typeof PrismaClient !== "function") throw new CliConfigError(`${entry} exports no PrismaClient`);
  const provider = datasourceProvider(text);
  let adapter: unknown;
  if (provider === "sqlite") {
    const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
    adapter = new PrismaBetterSqlite3({ url });
  } else if (provider === "postgresql") {
    const { PrismaPg } = await import("@prisma/adapter-pg");
    adapter = new PrismaPg({ connectionString: url });
  } else if (provider === "mysql") {
    const { PrismaMariaDb } = await import("@prisma/adapter-mariadb");
    adapter = new PrismaMariaDb(url);
  } else {
    throw new CliConfigError(
      `Datasource provider '${provider ?? "(none)"}' is not supported with --schema; use --config`,
    );
  }
  return new PrismaClient({ adapter });
}
