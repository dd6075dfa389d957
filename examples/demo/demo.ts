/**
 * `npm run demo` — the whole product in one run, offline: no NCP account, no
 * Docker, no download. An NCP KMS emulator starts in this process, a SQLite
 * file is created, and the app writes and reads users through the extension
 * while the database only ever holds KMS ciphertext.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { PrismaClient } from "../../prisma/generated/sqlite/client/client.js";
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import { createKmsClient, ncpKmsEncryption } from "../../src/index.js";
import { formatProgressLine, formatSummary, runMigration } from "../../src/migrate/index.js";

const root = join(import.meta.dirname, "../..");
const workDir = join(root, ".tmp/demo");
const dbFile = join(workDir, "demo.db");
const isTty = process.stdout.isTTY === true;
const bold = (s: string) => (isTty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (isTty ? `\x1b[2m${s}\x1b[0m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}`);
const short = (value: unknown) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 46 ? `${text.slice(0, 43)}...` : text;
};

async function main(): Promise<void> {
  step(1, "Start a local NCP KMS emulator (same HTTP API as NCP KMS) and create two keys");
  const emulator = await startEmulator({ port: 0 });
  const defaultKey = await emulator.createKey({ keyName: "demo-default" });
  const searchKey = await emulator.createKey({ keyName: "demo-search", isConvergent: true });
  console.log(`   emulator at ${emulator.url}`);
  console.log(`   key "default"    ${defaultKey.keyTag.slice(0, 16)}...  AES256`);
  console.log(`   key "searchable" ${searchKey.keyTag.slice(0, 16)}...  AES256, convergent`);

  step(2, "Create a SQLite database and a Prisma client with the encryption extension");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const sqlite = new Database(dbFile);
  sqlite.exec(readFileSync(join(root, "prisma/sql/sqlite/schema.sql"), "utf8"));
  const kms = createKmsClient({
    endpoint: emulator.url,
    auth: {
      type: "signature",
      accessKey: emulator.credentials.accessKey,
      secretKey: emulator.credentials.secretKey,
    },
  });
  const keys = { default: defaultKey.keyTag, searchable: searchKey.keyTag };
  const raw = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${dbFile}` }) });
  const prisma = raw.$extends(ncpKmsEncryption({ map: encryptionMap, kms, keys }));
  console.log(`   ${dbFile}`);
  console.log(dim("   schema.prisma: email String @unique /// @encrypted(searchable)"));
  console.log(dim("                  phone String?        /// @encrypted"));

  step(3, "Write users: the app passes plaintext, the database receives ciphertext");
  const people = [
    { email: "alice@example.com", name: "Alice", phone: "+82-10-1234-5678", notes: { vip: true } },
    { email: "bob@example.com", name: "Bob", phone: "+82-10-2222-3333", notes: { vip: false } },
    { email: "chloe@example.com", name: "Chloe", phone: null },
  ];
  for (const data of people) {
    await prisma.user.create({
      data: { ...data, posts: { create: { title: "Hello", slug: `hello-${data.name}`, secret: "draft" } } },
    });
  }
  const rows = sqlite.prepare(`SELECT id, email, phone FROM "User" ORDER BY id`).all() as Array<
    Record<string, unknown>
  >;
  const users = await prisma.user.findMany({ orderBy: { id: "asc" } });
  console.log(`   ${"app sees (Prisma)".padEnd(22)} ${"database holds (raw SQL)"}`);
  for (const [i, user] of users.entries()) {
    console.log(`   ${user.email.padEnd(22)} ${short(rows[i]?.email)}`);
    console.log(`   ${String(user.phone).padEnd(22)} ${short(rows[i]?.phone)}`);
  }

  step(4, "Find a user by encrypted email: equality search on a searchable column");
  const before = emulator.stats().requests;
  const found = await prisma.user.findUnique({
    where: { email: "bob@example.com" },
    include: { posts: true },
  });
  const many = await prisma.user.findMany({
    where: { email: { in: ["alice@example.com", "chloe@example.com"] } },
  });
  console.log(
    `   findUnique({ where: { email: "bob@example.com" } }) → ${found?.name}, post secret "${found?.posts[0]?.secret}"`,
  );
  console.log(
    `   findMany({ where: { email: { in: [alice, chloe] } } }) → ${many.map((u) => u.name).join(", ")}`,
  );
  console.log(
    dim(
      `   KMS requests for both queries: ${emulator.stats().requests - before} (values travel in array calls)`,
    ),
  );

  step(5, "Bulk load 2,000 users with createMany, then rotate both keys");
  await prisma.user.createMany({
    data: Array.from({ length: 2000 }, (_, i) => ({
      email: `user${i}@example.com`,
      phone: `+82-10-0000-${String(i).padStart(4, "0")}`,
    })),
  });
  const rotatedDefault = await emulator.rotateKey(defaultKey.keyTag);
  const rotatedSearch = await emulator.rotateKey(searchKey.keyTag);
  console.log(
    `   keys now on v${rotatedDefault.version} and v${rotatedSearch.version}; old rows still read (old versions keep decrypting)`,
  );
  const sample = sqlite.prepare(`SELECT phone FROM "User" WHERE phone IS NOT NULL LIMIT 1`).get() as {
    phone: string;
  };
  console.log(dim(`   a row before migration: ${short(sample.phone)}`));

  step(6, "prisma-ncp-kms migrate rotate: re-encrypt every row to the newest key version");
  console.log(dim("   (same engine as the CLI; KMS re-encrypt in array calls, no plaintext leaves the KMS)"));
  const summary = await runMigration({
    prisma: raw,
    map: encryptionMap,
    kms,
    keys,
    mode: "rotate",
    restart: true,
    stateDir: join(workDir, "state"),
    onProgress: (p) => {
      const line = `   ${formatProgressLine(p)}`;
      if (isTty) process.stdout.write(`\r\x1b[K${line}`);
    },
  });
  if (isTty) process.stdout.write("\n");
  console.log(
    formatSummary(summary)
      .split("\n")
      .map((l) => `   ${l}`)
      .join("\n"),
  );
  const versions = sqlite
    .prepare(`SELECT substr(phone, 1, 10) AS v, count(*) AS n FROM "User" WHERE phone IS NOT NULL GROUP BY v`)
    .all() as Array<{ v: string; n: number }>;
  console.log(`   raw phone column by prefix: ${versions.map((r) => `${r.v} × ${r.n}`).join(", ")}`);
  const bob = await prisma.user.findUnique({ where: { email: "bob@example.com" } });
  console.log(`   and the app still finds bob by email: ${bob?.phone}`);

  const stats = emulator.stats();
  console.log(
    `\n${bold("Done.")} KMS requests in this demo: ${stats.requests}, values processed: ${stats.values}, 429s: ${stats.throttled}.`,
  );
  console.log(
    "To use real NCP KMS instead of the emulator, create keys in the NCP console (one convergent for searchable fields),\n" +
      "set NCP_KMS_ENDPOINT=https://ocapi.ncloud.com, NCP_ACCESS_KEY, NCP_SECRET_KEY and pass their key tags as `keys` —\n" +
      "see examples/real-ncp/README.md and 'Set-up in your app' in README.md.",
  );

  await raw.$disconnect();
  await kms.close();
  sqlite.close();
  await emulator.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
