/**
 * Key checks, once per key, before the first write that uses it: the wrong
 * kind of key is a typed error naming the key name, `Model.field` and what
 * is wrong, and nothing is written (raw row count, KMS request count).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyEncryptionKeys } from "../../src/extension/index.js";
import { runMigration } from "../../src/migrate/index.js";
import { createFixture, extend, type Fixture, type Kms, map, startKms } from "../extension/setup.js";
import { describeEachProvider } from "../helpers/providers.js";

describeEachProvider("key checks before the first write", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let extra: { convergent: string; random: string; rsa: string; disabled: string };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    const [convergent, random, rsa, disabled] = await Promise.all([
      kms.emulator.createKey({ keyName: "conv2", isConvergent: true }),
      kms.emulator.createKey({ keyName: "random2", isConvergent: false }),
      kms.emulator.createKey({ keyName: "rsa", keyType: "RSA2048" }),
      kms.emulator.createKey({ keyName: "disabled" }),
    ]);
    await kms.emulator.setKeyEnabled(disabled.keyTag, false);
    extra = {
      convergent: convergent.keyTag,
      random: random.keyTag,
      rsa: rsa.keyTag,
      disabled: disabled.keyTag,
    };
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  const userCount = async () =>
    Number((await f.db.query(`SELECT COUNT(*) AS n FROM ${f.db.q("User")}`))[0]?.n);

  it("a non-convergent key for searchable fields: ENCRYPTION_KEY_INVALID, no row, not two rows with one @unique email", async () => {
    const app = extend(f.db.client(), kms, { keys: { ...kms.keys, searchable: extra.random } });
    const before = await userCount();
    for (let i = 0; i < 2; i++) {
      const error = await app.user.create({ data: { email: "dup@example.com" } }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "ENCRYPTION_KEY_INVALID",
        problems: [expect.objectContaining({ keyName: "searchable", problem: "not-convergent" })],
      });
      expect((error as Error).message).toContain('key "searchable"');
      expect((error as Error).message).toContain("User.email");
      expect((error as Error).message).toContain("not convergent");
    }
    expect(await userCount()).toBe(before);
    // Lookups are refused too, instead of returning null.
    await expect(app.user.findUnique({ where: { email: "dup@example.com" } })).rejects.toMatchObject({
      code: "ENCRYPTION_KEY_INVALID",
    });
  });

  it("a convergent key for non-searchable fields: ENCRYPTION_KEY_INVALID naming the key and field, not KMS_BAD_REQUEST", async () => {
    const app = extend(f.db.client(), kms, { keys: { ...kms.keys, default: extra.convergent } });
    const before = await userCount();
    const error = await app.user
      .create({ data: { email: "conv@example.com", phone: "conv-phone-1234" } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "ENCRYPTION_KEY_INVALID",
      problems: [expect.objectContaining({ keyName: "default", problem: "needs-context" })],
    });
    expect((error as Error).message).toContain("User.phone");
    expect((error as Error).message).not.toContain("conv-phone-1234");
    expect(await userCount()).toBe(before);
  });

  it("a disabled key and an RSA key are refused", async () => {
    const disabled = extend(f.db.client(), kms, { keys: { ...kms.keys, default: extra.disabled } });
    await expect(
      disabled.user.create({ data: { email: "dis@example.com", phone: "x-1234" } }),
    ).rejects.toMatchObject({
      code: "ENCRYPTION_KEY_INVALID",
      problems: [expect.objectContaining({ problem: "disabled" })],
    });
    const rsa = extend(f.db.client(), kms, { keys: { ...kms.keys, default: extra.rsa } });
    await expect(
      rsa.user.create({ data: { email: "rsa@example.com", phone: "x-1234" } }),
    ).rejects.toMatchObject({
      code: "ENCRYPTION_KEY_INVALID",
      problems: [expect.objectContaining({ keyName: "default", problem: "not-aes256" })],
    });
    expect(
      await f.plain.user.count({ where: { email: { in: ["dis@example.com", "rsa@example.com"] } } }),
    ).toBe(0);
  });

  it("runs once per key: later writes cost no extra KMS request", async () => {
    const app = extend(f.db.client(), kms);
    kms.emulator.resetStats();
    await app.user.create({ data: { email: "once-1@example.com", phone: "p-1" } });
    const first = kms.stats().requests;
    kms.emulator.resetStats();
    await app.user.create({ data: { email: "once-2@example.com", phone: "p-2" } });
    // Two keys (default, searchable): the second write makes only its two encrypt requests.
    expect(kms.stats().byAction).toEqual({ encrypt: 2 });
    expect(first).toBeGreaterThan(2);
  });

  it("verifyEncryptionKeys resolves for good keys and lists every bad one", async () => {
    await expect(verifyEncryptionKeys({ map, kms: kms.client, keys: kms.keys })).resolves.toBeUndefined();
    const error = await verifyEncryptionKeys({
      map,
      kms: kms.client,
      keys: { ...kms.keys, default: extra.convergent, searchable: extra.random },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ENCRYPTION_KEY_INVALID" });
    const problems = (error as { problems: { keyName: string; problem: string; fields: string[] }[] })
      .problems;
    expect(problems.map((p) => [p.keyName, p.problem]).sort()).toEqual([
      ["default", "needs-context"],
      ["searchable", "not-convergent"],
    ]);
    expect(problems.find((p) => p.keyName === "searchable")?.fields).toEqual(
      expect.arrayContaining(["User.email", "Post.slug", "Profile.taxId"]),
    );
  });

  it("migrate checks the keys before touching any row", async () => {
    const legacy = await f.plain.user.create({
      data: { email: "mig-key@example.com", phone: "mig-key-1234" },
    });
    const error = await runMigration({
      prisma: f.plain,
      map,
      kms: kms.client,
      keys: { ...kms.keys, searchable: extra.random },
      mode: "encrypt",
      models: ["User"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-keycheck-")),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "ENCRYPTION_KEY_INVALID",
      problems: [expect.objectContaining({ keyName: "searchable", problem: "not-convergent" })],
    });
    expect(await f.raw("User", "email", "id", legacy.id)).toBe("mig-key@example.com");
    expect(await f.raw("User", "phone", "id", legacy.id)).toBe("mig-key-1234");
    await f.plain.user.delete({ where: { id: legacy.id } });
  });
});
