/**
 * prisma-field-encryption 1.6 (pfe) set up on Prisma 7. Its documented
 * `fieldEncryptionExtension()` reads `require('@prisma/client').Prisma.dmmf`,
 * which Prisma 7's `prisma-client` output does not ship, so we hand it a DMMF
 * built with `getDMMF` from a copy of prisma/schema.prisma whose annotations
 * are rewritten to pfe's grammar: pfe encrypts String fields only and has no
 * searchable mode (equality needs a separate hash column), so User.email and
 * User.phone become plain `/// @encrypted` and every other annotation is
 * dropped.
 */
import { readFileSync } from "node:fs";
import { generateKey } from "@47ng/cloak";
import internals from "@prisma/internals";
import { fieldEncryptionExtension } from "prisma-field-encryption";

const schemaPath = new URL("../../prisma/schema.prisma", import.meta.url);

/** The fields pfe encrypts in the benchmark, as `Model.field`. */
export const pfeFields = ["User.email", "User.phone"] as const;

/** prisma/schema.prisma with annotations in pfe's grammar, on `pfeFields` only. */
export function pfeSchema(source: string = readFileSync(schemaPath, "utf8")): string {
  let model = "";
  return source
    .split("\n")
    .map((line) => {
      const header = /^model\s+(\w+)\s*\{/.exec(line);
      if (header) model = header[1]!;
      const field = /^\s+(\w+)\s/.exec(line)?.[1];
      const stripped = line.replace(/\s*\/\/\/\s*@encrypted(\([^)]*\))?\s*$/, "");
      if (stripped === line) return line;
      return pfeFields.includes(`${model}.${field}` as (typeof pfeFields)[number])
        ? `${stripped} /// @encrypted`
        : stripped;
    })
    .join("\n");
}

/** The pfe extension, with a fresh AES-GCM key; pass it to `$extends`. */
export async function createPfeExtension(): Promise<ReturnType<typeof fieldEncryptionExtension>> {
  const { datamodel } = await internals.getDMMF({ datamodel: pfeSchema() });
  const encryptionKey = await generateKey();
  // pfe's DMMF type is a structural subset of what getDMMF returns.
  const dmmf = { datamodel } as unknown as NonNullable<
    Parameters<typeof fieldEncryptionExtension>[0]
  >["dmmf"];
  return fieldEncryptionExtension({ encryptionKey, dmmf });
}
