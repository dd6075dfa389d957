/**
 * KMS outputs are checked before anything is written: a ciphertext from
 * encrypt / re-encrypt that is not `ncpkms:v<N>:` + valid base64 is a typed
 * error (`KMS_OUTPUT_INVALID`), in the extension (the query does not run) and
 * in migrate (the value is reported failed and the column keeps what it
 * held). The corruption is real: an HTTP server between the client and the
 * emulator rewrites the responses.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { encryptionMap } from "../../prisma/generated/sqlite/encryption/index.js";
import { ncpKmsEncryption } from "../../src/extension/index.js";
import { createKmsClient, type KmsClient } from "../../src/kms/index.js";
import { runMigration } from "../../src/migrate/index.js";
import type { EncryptionMap } from "../../src/schema/map.js";
import { asText, createFixture, type Fixture, type Kms, startKms } from "../extension/setup.js";
import { describeEachProvider } from "../helpers/providers.js";
import { type CorruptingProxy, corruptions, startCorruptingProxy } from "./corrupting-proxy.js";

const map = encryptionMap as unknown as EncryptionMap;

describeEachProvider("KMS outputs are checked before a write", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let proxy: CorruptingProxy;
  let viaProxy: KmsClient;
  let app: ReturnType<typeof extendViaProxy>;
  const extendViaProxy = () =>
    f.db.client().$extends(ncpKmsEncryption({ map, kms: viaProxy, keys: kms.keys }));

  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    proxy = await startCorruptingProxy(kms.emulator.url);
    viaProxy = createKmsClient({
      endpoint: proxy.url,
      auth: {
        type: "signature",
        accessKey: kms.emulator.credentials.accessKey,
        secretKey: kms.emulator.credentials.secretKey,
      },
      retry: { retries: 0, minDelayMs: 1, maxDelayMs: 2 },
    });
    app = extendViaProxy();
    // A good write first: every key is used (and checked) once before any corruption.
    await app.user.create({
      data: { email: "warm-up@example.com", phone: "warm-up-phone", notes: { a: 1 } },
    });
  });
  afterAll(async () => {
    await viaProxy?.close();
    await proxy?.close();
    await f?.close();
    await kms?.close();
  });

  it.each(Object.keys(corruptions))("extension: %s → typed error, no row written", async (name) => {
    const before = await f.plain.user.count();
    proxy.corrupt(corruptions[name]);
    const error = await app.user
      .create({ data: { email: `${name.replace(/ /g, "-")}@example.com`, phone: "probe-phone-1234" } })
      .catch((e: unknown) => e);
    proxy.corrupt(undefined);
    expect(proxy.rewritten).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: "ENCRYPTION_FAILED", cause: { code: "KMS_OUTPUT_INVALID" } });
    expect((error as Error).message).toContain("User.");
    expect(JSON.stringify(error)).not.toContain("probe-phone-1234");
    expect(await f.plain.user.count()).toBe(before);
  });

  it("migrate encrypt: a corrupt ciphertext is a KMS_OUTPUT_INVALID failure and the column keeps its value", async () => {
    const legacy = await f.plain.user.create({
      data: { email: "legacy-out@example.com", phone: "legacy-out-1234" },
    });
    // The run's key checks (one encrypt per key, before any row) pass; the rows' encryptions are corrupted.
    proxy.corrupt(corruptions["no prefix"], ["encrypt"], 2);
    const summary = await runMigration({
      prisma: f.db.client(),
      map,
      kms: viaProxy,
      keys: kms.keys,
      mode: "encrypt",
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-output-")),
    });
    proxy.corrupt(undefined);
    expect(summary.migrated).toBe(0);
    expect(summary.failed).toBeGreaterThanOrEqual(2);
    expect(new Set(summary.failures.map((x) => x.code))).toEqual(new Set(["KMS_OUTPUT_INVALID"]));
    expect(await f.raw("User", "phone", "id", legacy.id)).toBe("legacy-out-1234");
    expect(await f.raw("User", "email", "id", legacy.id)).toBe("legacy-out@example.com");
    await f.plain.user.delete({ where: { id: legacy.id } });
  });

  it("migrate rotate: a corrupt re-encrypt result is a KMS_OUTPUT_INVALID failure and the old ciphertext stays", async () => {
    const row = await app.user.create({
      data: { email: "rotate-out@example.com", phone: "rotate-out-1234" },
    });
    const phoneBefore = asText(await f.raw("User", "phone", "id", row.id));
    await kms.emulator.rotateKey(kms.keys.default);
    proxy.corrupt(corruptions["bad base64"], ["re-encrypt"]);
    const summary = await runMigration({
      prisma: f.db.client(),
      map,
      kms: viaProxy,
      keys: kms.keys,
      mode: "rotate",
      models: ["User"],
      fields: ["User.phone"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-output-")),
    });
    proxy.corrupt(undefined);
    expect(summary.migrated).toBe(0);
    expect(summary.failures.length).toBeGreaterThan(0);
    expect(new Set(summary.failures.map((x) => x.code))).toEqual(new Set(["KMS_OUTPUT_INVALID"]));
    expect(asText(await f.raw("User", "phone", "id", row.id))).toBe(phoneBefore);
  });
});
