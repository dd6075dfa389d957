/**
 * `prisma-ncp-kms generate`: the Prisma generator process. Prisma starts it
 * (as the `provider` of a `generator` block) and speaks JSON-RPC over
 * stdin/stderr; it is not meant to be run by hand.
 */
import { serveEncryptionGenerator } from "../../schema/generator.js";

export const help = `Usage: prisma-ncp-kms generate

The Prisma generator that writes the encryption map. Not run by hand: put it
in schema.prisma and run 'prisma generate':

  generator encryption {
    provider = "prisma-ncp-kms generate"
    output   = "./generated/encryption"   // default: ./encryption
  }

Writes <output>/index.js + index.d.ts (export const encryptionMap, for
JavaScript and TypeScript apps) and <output>/encryption-map.json. Mark fields with /// @encrypted,
/// @encrypted(searchable) or /// @encrypted(key: "name").`;

export async function run(_argv: string[]): Promise<number> {
  await serveEncryptionGenerator();
  return 0;
}
