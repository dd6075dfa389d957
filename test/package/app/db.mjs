// README "Set-up in your app", step 5, in JavaScript: one KMS client per
// process, configured from NCP_* variables, and the extended Prisma client.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { createKmsClientFromEnv, kmsKeysFromEnv, ncpKmsEncryption } from "prisma-ncp-kms";
import { PrismaClient } from "./generated/client/index.js";
import { encryptionMap } from "./generated/encryption/index.js";

// NCP_KMS_ENDPOINT, NCP_ACCESS_KEY, NCP_SECRET_KEY (the emulator prints them)
export const kms = createKmsClientFromEnv();
const adapter = new PrismaBetterSqlite3({ url: process.env.DATABASE_URL });
export const prisma = new PrismaClient({ adapter }).$extends(
  // NCP_KMS_KEYS=default=<keyTag>,searchable=<convergent keyTag>
  ncpKmsEncryption({ map: encryptionMap, kms, keys: kmsKeysFromEnv() }),
);
