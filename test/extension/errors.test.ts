/**
 * Every refusal is a typed error naming Model.field and the operator, thrown
 * before any query or KMS call; KMS failures fail closed; column binding,
 * tampering and plaintext policy on reads.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DecryptionFailedError,
  EncryptionConfigError,
  isUndecryptable,
  ncpKmsEncryption,
  UnsupportedQueryError,
} from "../../src/index.js";
import { describeEachProvider } from "../helpers/providers.js";
import { asText, createFixture, extend, type Fixture, type Kms, map, startKms } from "./setup.js";

describeEachProvider("extension errors", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let user: { id: number };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    user = await f.prisma.user.create({
      data: {
        email: "err@example.com",
        phone: "secret-phone",
        posts: { create: { title: "t", slug: "err-slug" } },
      },
    });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  /** Runs `run`, expects the refusal, and checks that neither the KMS nor the database saw anything. */
  async function expectRefused(run: () => Promise<unknown>, model: string, field: string, operator: string) {
    kms.emulator.resetStats();
    const before = await f.plain.user.count();
    const error = await run().then(
      () => {
        throw new Error("expected a refusal");
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedQueryError);
    expect(error).toMatchObject({ code: "ENCRYPTION_UNSUPPORTED_QUERY", model, field, operator });
    expect((error as Error).message).toContain(`${model}.${field}`);
    expect(kms.stats().requests).toBe(0);
    expect(await f.plain.user.count()).toBe(before);
  }

  it("refuses filters ciphertext cannot answer, naming Model.field and the operator", async () => {
    const u = f.prisma.user;
    await expectRefused(() => u.findMany({ where: { phone: "secret-phone" } }), "User", "phone", "equals");
    await expectRefused(() => u.findMany({ where: { phone: { in: ["a"] } } }), "User", "phone", "in");
    await expectRefused(
      () => u.findMany({ where: { email: { contains: "err" } } }),
      "User",
      "email",
      "contains",
    );
    await expectRefused(
      () => u.findMany({ where: { email: { startsWith: "e" } } }),
      "User",
      "email",
      "startsWith",
    );
    await expectRefused(
      () => u.findMany({ where: { email: { endsWith: "m" } } }),
      "User",
      "email",
      "endsWith",
    );
    await expectRefused(() => u.findMany({ where: { email: { gt: "a" } } }), "User", "email", "gt");
    await expectRefused(() => u.findMany({ where: { email: { lte: "a" } } }), "User", "email", "lte");
    if (provider !== "sqlite") {
      // The test client is typed for SQLite, which has no `mode`.
      const insensitive = { email: { equals: "err@example.com", mode: "insensitive" } } as never;
      await expectRefused(() => u.findMany({ where: insensitive }), "User", "email", "mode: insensitive");
    }
    await expectRefused(
      () =>
        u.findMany({
          where: { notes: { path: (provider === "postgresql" ? ["a"] : "$.a") as never, equals: 1 } },
        }),
      "User",
      "notes",
      "path",
    );
    await expectRefused(
      () => u.findMany({ where: { posts: { some: { secret: "x" } } } }),
      "Post",
      "secret",
      "equals",
    );
    await expectRefused(
      () => f.prisma.post.findMany({ where: { author: { is: { OR: [{ phone: "x" }] } } } }),
      "User",
      "phone",
      "equals",
    );
  });

  it("refuses ordering, distinct, grouping and min/max on encrypted fields", async () => {
    const u = f.prisma.user;
    await expectRefused(() => u.findMany({ orderBy: { email: "asc" } }), "User", "email", "orderBy");
    await expectRefused(
      () => u.findMany({ orderBy: [{ id: "asc" }, { phone: "desc" }] }),
      "User",
      "phone",
      "orderBy",
    );
    await expectRefused(
      () => u.findMany({ include: { posts: { orderBy: { slug: "asc" } } } }),
      "Post",
      "slug",
      "orderBy",
    );
    await expectRefused(
      () => f.prisma.post.findMany({ orderBy: { author: { email: "asc" } } }),
      "User",
      "email",
      "orderBy",
    );
    await expectRefused(() => u.findMany({ distinct: ["email"] }), "User", "email", "distinct");
    await expectRefused(() => u.groupBy({ by: ["email"] }), "User", "email", "groupBy by");
    await expectRefused(() => u.aggregate({ _min: { phone: true } }), "User", "phone", "_min");
    await expectRefused(() => u.aggregate({ _max: { email: true } }), "User", "email", "_max");
    await expectRefused(
      () => u.groupBy({ by: ["name"], having: { email: { _count: { gt: 1 } } } }),
      "User",
      "email",
      "having",
    );
  });

  it("refuses a value of the wrong type for the field", async () => {
    await expect(
      f.prisma.user.create({ data: { email: "wrong-type@example.com", phone: 42 as unknown as string } }),
    ).rejects.toMatchObject({ code: "ENCRYPTION_INVALID_VALUE", model: "User", field: "phone" });
  });

  it("fails closed when the KMS cannot encrypt: nothing is written", async () => {
    const before = await f.plain.user.count();
    kms.emulator.faults.failNext(10, { status: 500, action: "encrypt" });
    const error = await f.prisma.user
      .create({ data: { email: "never@example.com", phone: "never-phone" } })
      .catch((e: unknown) => e);
    kms.emulator.faults.clear();
    expect(error).toMatchObject({ code: "ENCRYPTION_FAILED" });
    expect((error as Error).message).toContain("User.");
    expect((error as Error).message).not.toContain("never-phone");
    expect(await f.plain.user.count()).toBe(before);
  });

  it("a ciphertext copied into another column fails with DECRYPTION_WRONG_COLUMN", async () => {
    const post = await f.prisma.post.create({ data: { title: "copy", slug: "copy", authorId: user.id } });
    const phone = asText(await f.raw("User", "phone", "id", user.id));
    await f.db.query(`UPDATE ${f.db.q("Post")} SET ${f.db.q("secret")} = ? WHERE ${f.db.q("id")} = ?`, [
      phone,
      post.id,
    ]);
    const error = await f.prisma.post.findUnique({ where: { id: post.id } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionFailedError);
    expect(error).toMatchObject({
      code: "DECRYPTION_WRONG_COLUMN",
      model: "Post",
      field: "secret",
      rowId: post.id,
    });
    // A searchable ciphertext moved to another searchable column fails too (other context).
    const email = asText(await f.raw("User", "email", "id", user.id));
    const group = await f.prisma.group.create({ data: { name: "g" } });
    await f.db.query(`UPDATE ${f.db.q("Group")} SET ${f.db.q("name")} = ? WHERE ${f.db.q("id")} = ?`, [
      email,
      group.id,
    ]);
    await expect(f.prisma.group.findUnique({ where: { id: group.id } })).rejects.toMatchObject({
      model: "Group",
      field: "name",
      rowId: group.id,
    });
    await f.db.query(`DELETE FROM ${f.db.q("Group")} WHERE ${f.db.q("id")} = ?`, [group.id]);
    await f.db.query(`UPDATE ${f.db.q("Post")} SET ${f.db.q("secret")} = NULL WHERE ${f.db.q("id")} = ?`, [
      post.id,
    ]);
  });

  it("a tampered ciphertext throws DECRYPTION_FAILED with the row id, or a marker when opted in", async () => {
    const victim = await f.prisma.user.create({
      data: { email: "tamper@example.com", phone: "tamper-phone" },
    });
    const stored = asText(await f.raw("User", "phone", "id", victim.id));
    const flipped = `${stored.slice(0, -6)}${stored.slice(-6, -5) === "A" ? "B" : "A"}${stored.slice(-5)}`;
    await f.db.query(`UPDATE ${f.db.q("User")} SET ${f.db.q("phone")} = ? WHERE ${f.db.q("id")} = ?`, [
      flipped,
      victim.id,
    ]);
    const error = await f.prisma.user.findUnique({ where: { id: victim.id } }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "DECRYPTION_FAILED",
      model: "User",
      field: "phone",
      rowId: victim.id,
    });
    expect((error as Error).message).not.toContain("ncpkms:");

    const admin = extend(f.db.client(), kms, { onDecryptError: "marker" });
    const row = await admin.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(row.email).toBe("tamper@example.com");
    expect(isUndecryptable(row.phone)).toBe(true);
    expect(row.phone).toMatchObject({ model: "User", field: "phone", rowId: victim.id, ciphertext: flipped });
    await f.prisma.user.deleteMany({ where: { id: victim.id } });
  });

  it("a KMS outage on read throws; it never returns ciphertext as data", async () => {
    kms.emulator.faults.failNext(20, { status: 503, action: "decrypt" });
    // Without the cache, which holds this row since it was written here.
    const cold = extend(f.db.client(), kms, { cache: false });
    const error = await cold.user.findUnique({ where: { id: user.id } }).catch((e: unknown) => e);
    kms.emulator.faults.clear();
    expect(error).toMatchObject({ code: "DECRYPTION_FAILED", model: "User", rowId: user.id });
  });

  it("allowPlaintextReads: false refuses legacy plaintext (or marks it)", async () => {
    const legacy = await f.plain.user.create({ data: { email: "legacy-err@example.com" } });
    const strict = extend(f.db.client(), kms, { allowPlaintextReads: false });
    await expect(strict.user.findUnique({ where: { id: legacy.id } })).rejects.toMatchObject({
      code: "PLAINTEXT_NOT_ALLOWED",
      model: "User",
      field: "email",
      rowId: legacy.id,
    });
    const marked = extend(f.db.client(), kms, { allowPlaintextReads: false, onDecryptError: "marker" });
    const row = await marked.user.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(row.email).toMatchObject({ undecryptable: true, code: "PLAINTEXT_NOT_ALLOWED" });
    await f.plain.user.delete({ where: { id: legacy.id } });
  });

  it("checks options at construction, naming each wrong setting", () => {
    const fail = (options: unknown) => {
      try {
        ncpKmsEncryption(options as Parameters<typeof ncpKmsEncryption>[0]);
      } catch (error) {
        expect(error).toBeInstanceOf(EncryptionConfigError);
        return error as EncryptionConfigError;
      }
      throw new Error("expected EncryptionConfigError");
    };
    const missing = fail({ map, kms: kms.client, keys: { default: kms.keys.default } });
    expect(missing.settings).toContain("keys.searchable");
    expect(missing.message).toContain("User.email");
    expect(missing.message).toContain("Post.slug");
    const bad = fail({ map, kms: {}, keys: { ...kms.keys, default: "" }, onDecryptError: "ignore" });
    expect(bad.settings).toEqual(
      expect.arrayContaining(["kms.encryptMany", "keys.default", "onDecryptError"]),
    );
    expect(bad.message).not.toContain(kms.keys.searchable);
    expect(fail({ map: { version: 2, models: {} }, kms: kms.client, keys: {} }).settings).toContain(
      "map.version",
    );
  });
});
