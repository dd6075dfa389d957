/**
 * Finding an app's Prisma set-up the way the Prisma 7 CLI does:
 *
 * 1. `--schema <file|folder>`;
 * 2. else `prisma.config.{ts,mts,cts,js,mjs,cjs}` (or `.config/prisma.*`)
 *    in the working directory, loaded with the app's own `@prisma/config`
 *    (its `schema` path and `datasource.url`);
 * 3. else `./schema.prisma`, `./prisma/schema.prisma`, or the `./prisma`
 *    folder of a multi-file schema.
 *
 * A schema folder holds several `.prisma` files; a generator's relative
 * `output` is relative to the file that declares it. The database URL is the
 * config's `datasource.url`, else `DATABASE_URL`.
 */
import { existsSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { ModuleLoadError, packageDir } from "./module-loader.js";

/** One `.prisma` file of the app's schema. */
export interface SchemaFile {
  readonly path: string;
  readonly text: string;
}

/** A `generator` block, with `output` already resolved to an absolute path. */
export interface GeneratorBlock {
  readonly name: string;
  readonly provider: string;
  readonly output: string | undefined;
  /** The file that declares it. */
  readonly file: string;
}

/** What the CLI knows of the app's Prisma set-up. */
export interface AppSchema {
  /** The schema file or folder. */
  readonly location: string;
  /** How it was found, for messages: `--schema`, `prisma.config.ts`, or `default location`. */
  readonly foundBy: string;
  readonly files: readonly SchemaFile[];
  readonly generators: readonly GeneratorBlock[];
  /** The `datasource` block's `provider`, if any. */
  readonly provider: string | undefined;
  /** From the Prisma config's `datasource.url`, else `DATABASE_URL`. */
  readonly databaseUrl: string | undefined;
}

/** A set-up problem; the message names the file or setting. */
export class AppSchemaError extends Error {}

const CONFIG_NAMES = ["ts", "mts", "cts", "js", "mjs", "cjs"].flatMap((ext) => [
  `prisma.config.${ext}`,
  `.config/prisma.${ext}`,
]);

/** The Prisma config file in `dir`, if there is one. */
export function findPrismaConfigFile(dir: string): string | undefined {
  return CONFIG_NAMES.map((name) => join(dir, name)).find((path) => existsSync(path));
}

interface LoadedPrismaConfig {
  schema?: string;
  datasource?: { url?: string };
}

type LoadConfigFromFile = (input: { configFile?: string; configRoot?: string }) => Promise<{
  config?: LoadedPrismaConfig;
  error?: { _tag: string; error?: Error };
}>;

async function loadPrismaConfig(file: string, appDir: string): Promise<LoadedPrismaConfig> {
  const dir = packageDir(appDir, ["prisma", "@prisma/config"]) ?? packageDir(appDir, ["@prisma/config"]);
  if (dir === undefined) {
    throw new AppSchemaError(
      `${relative(appDir, file)} needs the app's Prisma CLI to be read: install it (npm install -D prisma), or pass --schema`,
    );
  }
  const { createRequire } = await import("node:module");
  const { loadConfigFromFile } = createRequire(join(dir, "package.json"))(dir) as {
    loadConfigFromFile: LoadConfigFromFile;
  };
  const loaded = await loadConfigFromFile({ configFile: file, configRoot: appDir });
  if (loaded.error !== undefined) {
    const why = loaded.error.error?.message ?? loaded.error._tag;
    throw new AppSchemaError(`${relative(appDir, file) || file}: ${why}`);
  }
  return loaded.config ?? {};
}

async function prismaFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".prisma"))
    .map((e) => join(e.parentPath ?? (e as { path?: string }).path ?? dir, e.name))
    .sort();
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Reads the generator blocks of one schema file (comments stripped). */
export function generatorBlocks(file: SchemaFile): GeneratorBlock[] {
  const text = stripComments(file.text);
  const blocks: GeneratorBlock[] = [];
  for (const match of text.matchAll(/generator\s+(\w+)\s*\{([^}]*)\}/g)) {
    const body = match[2]!;
    const provider = /provider\s*=\s*"([^"]*)"/.exec(body)?.[1] ?? "";
    const output = /output\s*=\s*"([^"]*)"/.exec(body)?.[1];
    blocks.push({
      name: match[1]!,
      provider,
      output:
        output === undefined ? undefined : isAbsolute(output) ? output : resolve(dirname(file.path), output),
      file: file.path,
    });
  }
  return blocks;
}

function stripComments(text: string): string {
  return text.replace(/\/\/.*$/gm, "");
}

function datasourceProvider(files: readonly SchemaFile[]): string | undefined {
  for (const file of files) {
    const found = /datasource\s+\w+\s*\{[^}]*provider\s*=\s*"([^"]*)"/.exec(stripComments(file.text))?.[1];
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Finds and reads the app's schema (see the module comment for the order).
 *
 * @throws {AppSchemaError} naming what was looked for.
 */
export async function findAppSchema(options: {
  schema?: string | undefined;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<AppSchema> {
  const { cwd, env } = options;
  let location: string | undefined;
  let foundBy = "--schema";
  let config: LoadedPrismaConfig = {};
  const configFile = findPrismaConfigFile(cwd);
  if (options.schema !== undefined) location = resolve(cwd, options.schema);
  if (configFile !== undefined) {
    try {
      config = await loadPrismaConfig(configFile, cwd);
    } catch (error) {
      // With --schema and DATABASE_URL the config is not needed: one that
      // does not load (e.g. env("DATABASE_URL") unset, no prisma installed)
      // is then no reason to stop.
      const notNeeded = location !== undefined && env.DATABASE_URL !== undefined;
      if (!notNeeded || !(error instanceof AppSchemaError || error instanceof ModuleLoadError)) throw error;
    }
    if (location === undefined && config.schema !== undefined) {
      location = resolve(dirname(configFile), config.schema);
      foundBy = relative(cwd, configFile);
    }
  }
  if (location === undefined) {
    foundBy = "default location";
    location = [join(cwd, "schema.prisma"), join(cwd, "prisma/schema.prisma"), join(cwd, "prisma")].find(
      (p) => existsSync(p) && (p.endsWith(".prisma") || isDirectory(p)),
    );
    if (location === undefined) {
      throw new AppSchemaError(
        `No Prisma schema found from ${cwd}: looked for prisma.config.ts, ./schema.prisma, ./prisma/schema.prisma and ./prisma/; pass --schema <file|folder> or --config`,
      );
    }
  }
  if (!existsSync(location)) throw new AppSchemaError(`Schema not found: ${location} (from ${foundBy})`);
  const paths = isDirectory(location) ? await prismaFilesIn(location) : [location];
  if (paths.length === 0) throw new AppSchemaError(`No .prisma files in ${location} (from ${foundBy})`);
  const files = await Promise.all(paths.map(async (path) => ({ path, text: await readFile(path, "utf8") })));
  return {
    location,
    foundBy,
    files,
    generators: files.flatMap(generatorBlocks),
    provider: datasourceProvider(files),
    databaseUrl: config.datasource?.url ?? (env.DATABASE_URL || undefined),
  };
}
