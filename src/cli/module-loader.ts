/**
 * Loading an app's own modules from the CLI: JavaScript through Node's
 * `import()`, TypeScript (a `--config` file, the `prisma-client`
 * generator's output) through jiti — the loader the Prisma CLI itself uses
 * for `prisma.config.ts` — so a production install needs no esbuild or tsx.
 *
 * jiti is looked up where an app that runs Prisma has it: the app's own
 * dependencies first, then inside its `prisma` package (prisma →
 * @prisma/config → c12 → jiti), which also works under pnpm's strict layout.
 */
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** Raised when a module cannot be found or loaded; the CLI maps it to its own error type. */
export class ModuleLoadError extends Error {}

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx"]);

/**
 * The folder of package `name` as seen from `fromDir` (Node's lookup through
 * each ancestor's `node_modules`), symlinks resolved, or `undefined`.
 */
function findPackageDir(fromDir: string, name: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Follows a chain of packages: `["prisma", "@prisma/config"]` is the
 * `@prisma/config` that the `prisma` seen from `fromDir` depends on.
 */
export function packageDir(fromDir: string, chain: readonly string[]): string | undefined {
  let dir: string | undefined = fromDir;
  for (const name of chain) {
    if (dir === undefined) return undefined;
    dir = findPackageDir(dir, name);
  }
  return dir;
}

interface Jiti {
  import(id: string): Promise<unknown>;
}

function jitiFor(appDir: string): Jiti {
  const dir =
    packageDir(appDir, ["jiti"]) ??
    packageDir(appDir, ["prisma", "@prisma/config", "c12", "jiti"]) ??
    packageDir(process.cwd(), ["jiti"]);
  if (dir === undefined) {
    throw new ModuleLoadError(
      "Loading a TypeScript module needs jiti, which the Prisma CLI brings: install `prisma` in the app (npm install -D prisma) or `jiti` itself",
    );
  }
  // `require(dir)` loads jiti's CommonJS entry (its package `main`).
  const { createJiti } = createRequire(join(dir, "package.json"))(dir) as {
    createJiti(from: string, options?: object): Jiti;
  };
  return createJiti(pathToFileURL(join(appDir, "noop.js")).href, {
    interopDefault: false,
    moduleCache: true,
  });
}

/**
 * Imports a JS or TS module by path. TS goes through jiti found from
 * `appDir` (defaults to the current directory).
 *
 * @throws {ModuleLoadError} when a TS loader is needed and none is installed.
 */
export async function importAppModule(
  path: string,
  appDir: string = process.cwd(),
): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  if (TS_EXTENSIONS.has(extname(absolute))) {
    return (await jitiFor(appDir).import(absolute)) as Record<string, unknown>;
  }
  return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
}
