/**
 * The Prisma generator: `generator encryption { provider = "prisma-ncp-kms generate" }`.
 * Reads the `/// @encrypted` annotations from the full DMMF at `prisma
 * generate` time and writes the encryption map. A schema problem throws,
 * which makes `prisma generate` fail with the collected message.
 */
import { createRequire } from "node:module";
import { basename } from "node:path";
import type { GeneratorManifest, GeneratorOptions } from "@prisma/generator-helper";
import { buildEncryptionMap } from "./build-map.js";
import { emitEncryptionMap } from "./emit.js";

/** Folder written when the generator block has no `output`, relative to the schema. */
export const DEFAULT_OUTPUT = "./encryption";

/** The manifest Prisma asks for before generating. */
export function encryptionGeneratorManifest(): GeneratorManifest {
  return { prettyName: "prisma-ncp-kms encryption map", defaultOutput: DEFAULT_OUTPUT };
}

/**
 * Builds and writes the map for one `prisma generate` run.
 *
 * @throws {SchemaAnnotationError} when an annotation is wrong (nothing is written then).
 */
export async function generateEncryptionMap(options: GeneratorOptions): Promise<void> {
  const output = options.generator.output?.value;
  if (output === undefined || output === null) {
    throw new Error(`generator "${options.generator.name}" has no output directory`);
  }
  const map = buildEncryptionMap(options.dmmf.datamodel);
  await emitEncryptionMap(map, output, basename(options.schemaPath));
}

/**
 * Starts the generator protocol on stdin/stderr (JSON-RPC, as Prisma
 * expects). Resolves when Prisma closes stdin, i.e. when generation is over.
 */
export async function serveEncryptionGenerator(): Promise<void> {
  // @prisma/generator-helper is CommonJS whose named exports Node's ESM
  // loader cannot see (only `default`); require() gives the same object
  // under plain node, tsx and vitest alike.
  const { generatorHandler } = createRequire(import.meta.url)(
    "@prisma/generator-helper",
  ) as typeof import("@prisma/generator-helper");
  const closed = new Promise<void>((resolve) => process.stdin.once("close", () => resolve()));
  generatorHandler({
    onManifest: encryptionGeneratorManifest,
    onGenerate: generateEncryptionMap,
  });
  await closed;
}
