/**
 * The smallest app: one SQLite file, one Prisma client with the encryption
 * extension, one user written and read back. It prints what the app sees
 * beside what the database holds.
 *
 * KMS: an NCP KMS emulator started in this process, unless `NCP_ACCESS_KEY`
 * or `NCP_KMS_ENDPOINT` is set; then it uses those (see README.md).
 *
 * Run: `npx tsx examples/minimal/main.ts`
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { PrismaClient } from "../../prisma/generated/sqlite/client/client.js";
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
// An app imports these from "prisma-ncp-kms" and "prisma-ncp-kms/emulator";
// inside this repository they come from the sources.
import { startEmulator } from "../../src/emulator/index.js";
import { createKmsClient, type KmsClient, ncpKmsEncryption } from "../../src/index.js";

/** Options of {@link main}. */
export interface MinimalOptions {
  /** Where the NCP_* variables are read from. Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives each output line. Defaults to `console.log`. */
  print?: (line: string) => void;
}

/** One `User` row: as the app reads it, or as raw SQL sees it. */
export interface UserColumns {
  id: number;
  email: string;
  name: string | null;
  phone: string | null;
}

/** What {@link main} did, for tests and curious readers. */
export interface MinimalResult {
  /** Which KMS was used: env variables, or the in-process emulator. */
  kms: "env" | "emulator";
  /** The user read back through Prisma (decrypted). */
  appSees: UserColumns;
  /** The same row read with plain SQL: what is on disk. */
  dbHolds: UserColumns;
}

interface KmsSetup {
  kind: "env" | "emulator";
  kms: KmsClient;
  keys: { default: string; searchable: string };
  close(): Promise<void>;
}

async function connectKms(env: Readonly<Record<string, string | undefined>>): Promise<KmsSetup> {
  if (env.NCP_ACCESS_KEY || env.NCP_KMS_ENDPOINT) {
    const names = ["NCP_ACCESS_KEY", "NCP_SECRET_KEY", "NCP_KMS_KEY_DEFAULT", "NCP_KMS_KEY_SEARCHABLE"];
    const missing = names.filter((name) => !env[name]);
    // Names only: the values are credentials.
    if (missing.length > 0) throw new Error(`Set ${missing.join(", ")} (see examples/minimal/README.md)`);
    const kms = createKmsClient({
      endpoint: env.NCP_KMS_ENDPOINT || undefined,
      auth: { type: "signature", accessKey: env.NCP_ACCESS_KEY!, secretKey: env.NCP_SECRET_KEY! },
    });
    const keys = { default: env.NCP_KMS_KEY_DEFAULT!, searchable: env.NCP_KMS_KEY_SEARCHABLE! };
    return { kind: "env", kms, keys, close: () => kms.close() };
  }
  const emulator = await startEmulator({ port: 0 });
  const defaultKey = await emulator.createKey({ keyName: "minimal-default" });
  // Searchable fields need a convergent key: same input, same ciphertext.
  const searchKey = await emulator.createKey({ keyName: "minimal-search", isConvergent: true });
  const kms = createKmsClient({
    endpoint: emulator.url,
    auth: { type: "signature", ...emulator.credentials },
  });
  return {
    kind: "emulator",
    kms,
    keys: { default: defaultKey.keyTag, searchable: searchKey.keyTag },
    async close() {
      await kms.close();
      await emulator.close();
    },
  };
}

/** Writes one user and reads it back, printing the app's view beside the stored row. */
export async function main(options: MinimalOptions = {}): Promise<MinimalResult> {
  const print = options.print ?? console.log;
  const setup = await connectKms(options.env ?? process.env);
  const dir = mkdtempSync(join(tmpdir(), "prisma-ncp-kms-minimal-"));
  const file = join(dir, "app.db");
  // Tables come from plain SQL here; an app would run `prisma migrate deploy`.
  const sqlite = new Database(file);
  sqlite.exec(readFileSync(new URL("../../prisma/sql/sqlite/schema.sql", import.meta.url), "utf8"));
  const base = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  const prisma = base.$extends(ncpKmsEncryption({ map: encryptionMap, kms: setup.kms, keys: setup.keys }));
  try {
    print(setup.kind === "emulator" ? "KMS: in-process NCP KMS emulator" : "KMS: from NCP_* variables");
    print(`SQLite: ${file}`);

    const created = await prisma.user.create({
      data: { email: "alice@example.com", name: "Alice", phone: "+82-10-1234-5678" },
    });
    // `email` is searchable: the query is encrypted and matched by equality.
    const found = await prisma.user.findUnique({ where: { email: "alice@example.com" } });
    if (found === null) throw new Error("The user just written was not found by email");
    const stored = sqlite
      .prepare(`SELECT id, email, name, phone FROM "User" WHERE id = ?`)
      .get(created.id) as UserColumns;

    const appSees = { id: found.id, email: found.email, name: found.name, phone: found.phone };
    print("The app sees (through Prisma):");
    print(`  email ${appSees.email}  name ${appSees.name}  phone ${appSees.phone}`);
    print("The database holds (plain SQL):");
    print(`  email ${stored.email}`);
    print(`  name  ${stored.name}`);
    print(`  phone ${stored.phone}`);
    return { kms: setup.kind, appSees, dbHolds: { ...stored } };
  } finally {
    await base.$disconnect();
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
    await setup.close();
  }
}

// Run only when executed directly (`npx tsx examples/minimal/main.ts`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
