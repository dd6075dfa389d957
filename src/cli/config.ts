/**
 * Configuration shared by CLI commands: a config module (`--config`, a JS
 * or TS file; TS is loaded through jiti, see `module-loader.ts`), the KMS
 * settings from the environment, and the encryption map and Prisma client
 * of the app's schema (`--schema`, `prisma.config.ts`, or the default
 * locations; see `app-schema.ts`). The only place besides the commands that
 * reads `process.env`. Nothing here logs or echoes a secret.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { NcpKmsError } from "../errors.js";
import type { KmsClientOptions } from "../kms/index.js";
import type { EncryptionMap } from "../schema/map.js";
import { type AppSchema, AppSchemaError, findAppSchema } from "./app-schema.js";
import { importAppModule, ModuleLoadError } from "./module-loader.js";

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

/** Imports a JS or TS module by path (TS through jiti). */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new CliConfigError(`Config file not found: ${absolute}`);
  try {
    return await importAppModule(absolute);
  } catch (error) {
    if (error instanceof ModuleLoadError) throw new CliConfigError(error.message);
    throw error;
  }
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
 * The app's schema, found as the Prisma 7 CLI finds it (`--schema`,
 * `prisma.config.ts`, `./prisma/`); see `app-schema.ts`.
 */
export async function appSchema(
  schema: string | undefined,
  env: Env,
  cwd = process.cwd(),
): Promise<AppSchema> {
  try {
    return await findAppSchema({ schema, cwd, env });
  } catch (error) {
    if (error instanceof AppSchemaError || error instanceof ModuleLoadError) {
      throw new CliConfigError(error.message);
    }
    throw error;
  }
}

/**
 * The encryption map the schema's `prisma-ncp-kms` generator wrote:
 * `<output>/encryption-map.json` (output defaults to `./encryption`,
 * relative to the file declaring the generator).
 */
export async function loadMapFromSchema(app: AppSchema): Promise<EncryptionMap> {
  const block = app.generators.find(
    (b) => b.provider.includes("prisma-ncp-kms") || /\bgenerate$/.test(b.provider),
  );
  if (block === undefined) {
    throw new CliConfigError(
      `${app.location} has no prisma-ncp-kms generator block (found by ${app.foundBy})`,
    );
  }
  const dir = block.output ?? resolve(block.file, "..", "encryption");
  const file = join(dir, "encryption-map.json");
  if (!existsSync(file))
    throw new CliConfigError(`No encryption map at ${file}; run 'prisma generate' first`);
  return JSON.parse(await readFile(file, "utf8")) as EncryptionMap;
}

/** The driver adapter package per datasource provider: optional peers, loaded only when used. */
const ADAPTERS = {
  sqlite: "@prisma/adapter-better-sqlite3",
  postgresql: "@prisma/adapter-pg",
  mysql: "@prisma/adapter-mariadb",
} as const;

async function importAdapter(provider: keyof typeof ADAPTERS): Promise<Record<string, unknown>> {
  const name = ADAPTERS[provider];
  try {
    switch (provider) {
      case "sqlite":
        return (await import("@prisma/adapter-better-sqlite3")) as Record<string, unknown>;
      case "postgresql":
        return (await import("@prisma/adapter-pg")) as Record<string, unknown>;
      case "mysql":
        return (await import("@prisma/adapter-mariadb")) as Record<string, unknown>;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new CliConfigError(
        `The datasource provider '${provider}' needs the driver adapter ${name}: npm install ${name} (or use --config)`,
      );
    }
    throw error;
  }
}

function adapterFor(provider: keyof typeof ADAPTERS, mod: Record<string, unknown>, url: string): unknown {
  type Ctor = new (...args: unknown[]) => unknown;
  switch (provider) {
    case "sqlite":
      return new (mod.PrismaBetterSqlite3 as Ctor)({ url });
    case "postgresql":
      return new (mod.PrismaPg as Ctor)({ connectionString: url });
    case "mysql":
      return new (mod.PrismaMariaDb as Ctor)(url);
  }
}

/**
 * The driver adapter factory for the schema's datasource provider (the app's
 * own `@prisma/adapter-*` package), on the config's `datasource.url` or
 * `DATABASE_URL`. Migrate runs over it directly: no generated client, no
 * query compiler in the process.
 */
export async function adapterFromSchema(app: AppSchema): Promise<unknown> {
  const url = app.databaseUrl;
  if (!url) {
    throw new CliConfigError(
      "No database URL: set DATABASE_URL, or datasource.url in prisma.config.ts (or use --config)",
    );
  }
  const provider = app.provider;
  if (provider !== "sqlite" && provider !== "postgresql" && provider !== "mysql") {
    throw new CliConfigError(
      `Datasource provider '${provider ?? "(none)"}' is not supported without --config (sqlite, postgresql, mysql are)`,
    );
  }
  return adapterFor(provider, await importAdapter(provider), url);
}

/**
 * A PrismaClient built from the schema's `prisma-client` (or
 * `prisma-client-js`) generator output and the driver adapter for its
 * datasource provider: for a map the bare adapter cannot serve (see
 * {@link adapterFromSchema}).
 */
export async function prismaFromSchema(app: AppSchema): Promise<unknown> {
  const block = app.generators.find(
    (b) => b.provider === "prisma-client" || b.provider === "prisma-client-js",
  );
  if (block?.output === undefined) {
    throw new CliConfigError(
      `${app.location}: no 'prisma-client' generator with an output; use --config instead`,
    );
  }
  const adapter = await adapterFromSchema(app);
  const entry = ["client.ts", "client.mts", "index.js", "client.js"]
    .map((f) => join(block.output!, f))
    .find((f) => existsSync(f));
  if (entry === undefined)
    throw new CliConfigError(`No generated client in ${block.output}; run 'prisma generate' first`);
  const { PrismaClient } = (await importModule(entry)) as {
    PrismaClient?: new (o: { adapter: unknown }) => unknown;
  };
  if (typeof PrismaClient !== "function") throw new CliConfigError(`${entry} exports no PrismaClient`);
  return new PrismaClient({ adapter });
}
