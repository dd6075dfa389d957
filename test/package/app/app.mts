// The same app in TypeScript, type-checked (`tsc --noEmit`, strict) against
// the installed package's types and the generated map's index.d.ts.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import {
  createKmsClientFromEnv,
  isNcpKmsError,
  type KmsClient,
  kmsKeysFromEnv,
  type NcpKmsErrorCode,
  ncpKmsEncryption,
  UnsupportedQueryError,
  verifyEncryptionKeys,
} from "prisma-ncp-kms";
import { runMigration } from "prisma-ncp-kms/migrate";
import { PrismaClient } from "./generated/client/index.js";
import { encryptionMap } from "./generated/encryption/index.js";

const kms: KmsClient = createKmsClientFromEnv();
const adapter = new PrismaBetterSqlite3({ url: process.env.DATABASE_URL ?? "file:./dev.db" });
export const prisma = new PrismaClient({ adapter }).$extends(
  ncpKmsEncryption({ map: encryptionMap, kms, keys: kmsKeysFromEnv() }),
);

export async function main(): Promise<void> {
  await verifyEncryptionKeys({ map: encryptionMap, kms, keys: kmsKeysFromEnv() });
  const created = await prisma.user.create({
    data: { email: "carol@example.com", phone: "+82-10-0000-1111" },
  });
  const email: string = created.email;
  const found = await prisma.user.findUnique({ where: { email } });
  const phone: string | null | undefined = found?.phone;
  await prisma.user.update({ where: { id: created.id }, data: { phone: phone ?? null } });
  const all = await prisma.user.findMany();
  console.log(all.length);
  try {
    await prisma.user.findMany({ where: { phone: { contains: "1111" } } });
  } catch (error) {
    if (
      error instanceof UnsupportedQueryError ||
      (isNcpKmsError(error) && error.code === "ENCRYPTION_UNSUPPORTED_QUERY")
    ) {
      const code: NcpKmsErrorCode = error.code;
      console.log("refused", code);
    }
  }
  const field: "User" = encryptionMap.models.User.name;
  console.log(field, typeof runMigration);
}
