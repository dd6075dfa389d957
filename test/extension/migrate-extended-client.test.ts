/**
 * `migrate` must read and write what is stored. Given a client extended with
 * ncpKmsEncryption it would see decrypted values, call every row "skipped"
 * and exit 0 with the table still encrypted: it refuses such a client
 * before touching a row or calling the KMS.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMigration } from "../../src/migrate/index.js";
import { describeEachProvider } from "../helpers/providers.js";
import { asText, createFixture, expectCiphertext, type Fixture, type Kms, map, startKms } from "./setup.js";

describeEachProvider("migrate refuses a client extended with ncpKmsEncryption", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let user: { id: number };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    user = await f.prisma.user.create({ data: { email: "ext@example.com", phone: "ext-phone-1234" } });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  const run = (prisma: unknown, mode: "decrypt" | "rotate" | "encrypt" | "status") =>
    runMigration({
      prisma,
      map,
      kms: kms.client,
      keys: kms.keys,
      mode,
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-ext-")),
    });

  it.each(["decrypt", "rotate", "encrypt", "status"] as const)(
    "%s: MIGRATE_CLIENT_EXTENDED, no KMS call, the table untouched",
    async (mode) => {
      const before = asText(await f.raw("User", "phone", "id", user.id));
      const requests = kms.stats().requests;
      const error = await run(f.prisma, mode).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MIGRATE_CLIENT_EXTENDED" });
      expect((error as Error).message).toContain("without the encryption extension");
      expect(kms.stats().requests).toBe(requests);
      expect(asText(await f.raw("User", "phone", "id", user.id))).toBe(before);
      expectCiphertext(await f.raw("User", "phone", "id", user.id), "ext-phone-1234");
    },
  );

  it("also when another extension is stacked on top", async () => {
    const stacked = f.prisma.$extends({ name: "audit", query: {} });
    await expect(run(stacked, "decrypt")).rejects.toMatchObject({ code: "MIGRATE_CLIENT_EXTENDED" });
  });

  it("the unextended client really decrypts", async () => {
    const summary = await run(f.plain, "decrypt");
    expect(summary.failed).toBe(0);
    expect(summary.migrated).toBeGreaterThan(0);
    expect(await f.raw("User", "phone", "id", user.id)).toBe("ext-phone-1234");
  });
});
