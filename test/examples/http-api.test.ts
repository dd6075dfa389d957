/**
 * examples/http-api on PostgreSQL: the routes over real HTTP, the extension
 * against a real emulator, and the raw rows checked for ciphertext.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, createServer } from "../../examples/http-api/app.js";
import { type AppPrisma, createPrisma } from "../../examples/http-api/prisma.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createKmsClient, type KmsClient } from "../../src/index.js";
import { createTestDatabase, type TestDatabase, unavailableReason } from "../helpers/databases.js";

const reason = await unavailableReason("postgresql");
if (reason !== null && process.env.CI === "true") throw new Error(`CI requires PostgreSQL: ${reason}`);

interface UserBody {
  id: number;
  email: string;
  name: string | null;
  phone: string | null;
}

describe.skipIf(reason !== null)(
  `examples/http-api [postgresql]${reason ? ` — skipped: ${reason}` : ""}`,
  () => {
    let emulator: RunningEmulator;
    let kms: KmsClient;
    let db: TestDatabase;
    let prisma: AppPrisma;
    let api: ApiServer;
    const logLines: string[] = [];

    const post = (body: string) =>
      fetch(`${api.url}/users`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const rawUser = async (id: number) =>
      (await db.query(`SELECT email, name, phone FROM "User" WHERE id = ?`, [id]))[0];

    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
      const defaultKey = await emulator.createKey({ keyName: "api-default" });
      const searchKey = await emulator.createKey({ keyName: "api-search", isConvergent: true });
      kms = createKmsClient({
        endpoint: emulator.url,
        auth: {
          type: "signature",
          accessKey: emulator.credentials.accessKey,
          secretKey: emulator.credentials.secretKey,
        },
      });
      db = await createTestDatabase("postgresql");
      prisma = createPrisma({
        databaseUrl: db.url,
        kms,
        keys: { default: defaultKey.keyTag, searchable: searchKey.keyTag },
      });
      api = await createServer({ prisma, port: 0, log: (line) => logLines.push(line) });
    });

    afterAll(async () => {
      await api?.close();
      await prisma?.$disconnect();
      await kms?.close();
      await emulator?.close();
      await db?.drop();
    });

    it("POST /users → 201 with the plaintext user; the raw row holds ncpkms: ciphertext", async () => {
      const res = await post(
        JSON.stringify({ email: "Alice@Example.com", name: "Alice", phone: "+82-10-1234-5678" }),
      );
      expect(res.status).toBe(201);
      const user = (await res.json()) as UserBody;
      expect(user).toMatchObject({ email: "alice@example.com", name: "Alice", phone: "+82-10-1234-5678" });

      const raw = await rawUser(user.id);
      expect(raw?.email).toMatch(/^ncpkms:v1:/);
      expect(raw?.phone).toMatch(/^ncpkms:v1:/);
      expect(String(raw?.email)).not.toContain("alice");
      expect(String(raw?.phone)).not.toContain("-1234-");
      expect(raw?.name).toBe("Alice");
    });

    it("GET /users/by-email finds the user through the searchable column; GET /users/:id too", async () => {
      const created = (await (
        await post(JSON.stringify({ email: "bob@example.com", phone: "010" }))
      ).json()) as UserBody;

      const byEmail = await fetch(
        `${api.url}/users/by-email?email=${encodeURIComponent(" BOB@example.com ")}`,
      );
      expect(byEmail.status).toBe(200);
      expect(await byEmail.json()).toMatchObject({ id: created.id, email: "bob@example.com", phone: "010" });

      const byId = await fetch(`${api.url}/users/${created.id}`);
      expect(byId.status).toBe(200);
      expect(await byId.json()).toMatchObject({ id: created.id, email: "bob@example.com" });
    });

    it("404 for an absent email or id, 400 without an email", async () => {
      const absent = await fetch(`${api.url}/users/by-email?email=nobody@example.com`);
      expect(absent.status).toBe(404);
      expect(await absent.json()).toEqual({ error: "USER_NOT_FOUND" });
      expect((await fetch(`${api.url}/users/987654`)).status).toBe(404);
      expect((await fetch(`${api.url}/users/99999999999`)).status).toBe(404);
      expect((await fetch(`${api.url}/users/by-email`)).status).toBe(400);
    });

    it("400 for invalid JSON and for a bad body, naming fields, never echoing values", async () => {
      const badJson = await post('{"email": "carol@example.com",');
      expect(badJson.status).toBe(400);
      expect(await badJson.json()).toEqual({ error: "INVALID_JSON" });

      const badBody = await post(JSON.stringify({ email: "not-an-email-secret", phone: 42 }));
      expect(badBody.status).toBe(400);
      const text = await badBody.text();
      const body = JSON.parse(text) as { error: string; issues: Array<{ field: string }> };
      expect(body.error).toBe("INVALID_BODY");
      expect(body.issues.map((i) => i.field).sort()).toEqual(["email", "phone"]);
      expect(text).not.toContain("not-an-email-secret");
    });

    it("409 for an email already taken (equality holds on ciphertext)", async () => {
      expect((await post(JSON.stringify({ email: "dave@example.com" }))).status).toBe(201);
      const again = await post(JSON.stringify({ email: "DAVE@example.com" }));
      expect(again.status).toBe(409);
      expect(await again.json()).toEqual({ error: "EMAIL_TAKEN" });
    });

    it("a KMS refusal → 502 with the error code only; nothing written, nothing leaked", async () => {
      const before = await db.query(`SELECT count(*)::int AS n FROM "User"`);
      emulator.faults.failNext(1, { status: 403, action: "encrypt" });
      const res = await post(JSON.stringify({ email: "erin@example.com", phone: "+82-10-9999-0000" }));
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: "ENCRYPTION_FAILED" });
      expect(text).not.toContain("erin");
      expect(await db.query(`SELECT count(*)::int AS n FROM "User"`)).toEqual(before);
      expect(logLines).toContain("POST /users 502 ENCRYPTION_FAILED");
    });

    it("logs method, path, status and code — never the email in the query string", () => {
      expect(logLines).toContain("GET /users/by-email 200");
      expect(logLines.join("\n")).not.toMatch(/@example\.com/i);
    });
  },
);
