/**
 * The cache inside `ncpKmsEncryption`, over real HTTP to the emulator and a
 * real database: KMS request counts from the emulator's own stats, the raw
 * column checked through the driver.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKmsCache } from "../../src/field-crypto/cache/index.js";
import { DecryptionFailedError } from "../../src/index.js";
import {
  asText,
  createFixture,
  expectCiphertext,
  extend,
  type Fixture,
  type Kms,
  startKms,
} from "../extension/setup.js";
import { describeEachProvider } from "../helpers/providers.js";

describeEachProvider("extension cache", (provider) => {
  let kms: Kms;
  let f: Fixture;
  /** A second client on the same database with no cache: writes this process's cache has not seen. */
  let other: ReturnType<typeof extend>;
  let n = 0;
  const email = () => `cache${++n}@example.com`;
  const requests = () => kms.stats().requests;

  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    other = extend(f.db.client(), kms, { cache: false });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  it("reads and looks up a row this process wrote with no KMS call; the column holds only ciphertext", async () => {
    const address = email();
    const user = await f.prisma.user.create({ data: { email: address, phone: "+82-10-5555-0001" } });
    expectCiphertext(await f.raw("User", "email", "id", user.id), address);
    expectCiphertext(await f.raw("User", "phone", "id", user.id), "5555-0001");
    kms.emulator.resetStats();
    expect(await f.prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({
      email: address,
      phone: "+82-10-5555-0001",
    });
    expect(await f.prisma.user.findUnique({ where: { email: address } })).toMatchObject({ id: user.id });
    expect(requests()).toBe(0);
  });

  it("a row never seen: 2 KMS calls by email (encrypt the where, decrypt the rest), then 0", async () => {
    const address = email();
    const user = await other.user.create({ data: { email: address, phone: "+82-10-5555-0002" } });
    kms.emulator.resetStats();
    expect(await f.prisma.user.findUnique({ where: { email: address } })).toMatchObject({
      id: user.id,
      phone: "+82-10-5555-0002",
    });
    expect(kms.stats().byAction).toEqual({ encrypt: 1, decrypt: 1 });
    expect(await f.prisma.user.findUnique({ where: { email: address } })).toMatchObject({ id: user.id });
    expect(requests()).toBe(2);
  });

  it("cache off: the where's own searchable value fills the result, only the other fields are decrypted", async () => {
    const address = email();
    const user = await other.user.create({ data: { email: address, phone: "+82-10-5555-0009" } });
    kms.emulator.resetStats();
    expect(await other.user.findUnique({ where: { email: address } })).toMatchObject({
      id: user.id,
      email: address,
      phone: "+82-10-5555-0009",
    });
    // One value encrypted (the where's email), one decrypted (phone): the
    // result's email is the ciphertext the query itself asked for.
    expect(kms.stats().valuesByAction).toEqual({ encrypt: 1, decrypt: 1 });
  });

  it("a row read by id is then found by email with no KMS call", async () => {
    const address = email();
    const user = await other.user.create({ data: { email: address, phone: "+82-10-5555-0003" } });
    kms.emulator.resetStats();
    await f.prisma.user.findUnique({ where: { id: user.id } });
    const afterRead = requests();
    expect(afterRead).toBeGreaterThan(0);
    expect(await f.prisma.user.findUnique({ where: { email: address } })).toMatchObject({ id: user.id });
    expect(requests()).toBe(afterRead);
  });

  it("the same value in concurrent queries is sent once and fanned out", async () => {
    const address = email();
    const user = await other.user.create({ data: { email: address, phone: "+82-10-5555-0004" } });
    kms.emulator.resetStats();
    const rows = await Promise.all(
      Array.from({ length: 20 }, () => f.prisma.user.findUnique({ where: { email: address } })),
    );
    expect(rows.every((row) => row?.id === user.id && row.phone === "+82-10-5555-0004")).toBe(true);
    // One email to encrypt, one phone to decrypt (the email's plaintext is known from the encrypt).
    expect(kms.stats().values).toBe(2);
    kms.emulator.resetStats();
    await Promise.all(Array.from({ length: 20 }, () => other.user.findUnique({ where: { email: address } })));
    expect(kms.stats().values).toBeGreaterThanOrEqual(40);
  });

  it("a cached ciphertext copied into another column still fails with DECRYPTION_WRONG_COLUMN", async () => {
    const user = await f.prisma.user.create({ data: { email: email(), phone: "copied-phone" } });
    const post = await f.prisma.post.create({
      data: { title: "copy", slug: `copy-${n}`, authorId: user.id },
    });
    const phone = asText(await f.raw("User", "phone", "id", user.id));
    await f.db.query(`UPDATE ${f.db.q("Post")} SET ${f.db.q("secret")} = ? WHERE ${f.db.q("id")} = ?`, [
      phone,
      post.id,
    ]);
    kms.emulator.resetStats();
    const error = await f.prisma.post.findUnique({ where: { id: post.id } }).catch((e: unknown) => e);
    // Same key, no context: the cache answers it (no KMS call) and the binding check still refuses it.
    expect(requests()).toBe(0);
    expect(error).toBeInstanceOf(DecryptionFailedError);
    expect(error).toMatchObject({
      code: "DECRYPTION_WRONG_COLUMN",
      model: "Post",
      field: "secret",
      rowId: post.id,
    });
    expect((error as Error).message).not.toContain("copied-phone");
    expect(asText(await f.raw("Post", "secret", "id", post.id))).toBe(phone);
    await f.db.query(`UPDATE ${f.db.q("Post")} SET ${f.db.q("secret")} = NULL WHERE ${f.db.q("id")} = ?`, [
      post.id,
    ]);
  });

  it("cache: false sends every value, every time", async () => {
    const users = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        other.user.create({ data: { email: email(), phone: `+82-10-6666-000${i}` } }),
      ),
    );
    const ids = users.map((u) => u.id);
    kms.emulator.resetStats();
    for (let round = 0; round < 2; round++) {
      const rows = await other.user.findMany({
        where: { id: { in: ids } },
        select: { email: true, phone: true },
      });
      expect(rows).toHaveLength(5);
    }
    // 2 rounds × 5 rows × 2 fields, nothing answered from memory.
    expect(kms.stats().values).toBe(20);
    kms.emulator.resetStats();
    await other.user.findUnique({ where: { email: users[0]!.email } });
    const once = kms.stats();
    expect(once.byAction.encrypt).toBe(1);
    await other.user.findUnique({ where: { email: users[0]!.email } });
    expect(kms.stats().requests).toBe(2 * once.requests);
    expect(kms.stats().values).toBe(2 * once.values);
  });

  it("a decrypt failure is not cached: the next read asks the KMS again and succeeds", async () => {
    const user = await other.user.create({ data: { email: email(), phone: "fails-once" } });
    kms.emulator.faults.failNext(10, { status: 500, action: "decrypt" }); // more than the client's retries
    const error = await f.prisma.user.findUnique({ where: { id: user.id } }).catch((e: unknown) => e);
    kms.emulator.faults.clear();
    expect(error).toMatchObject({ code: "DECRYPTION_FAILED" });
    kms.emulator.resetStats();
    expect(await f.prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({ phone: "fails-once" });
    expect(kms.stats().byAction.decrypt).toBeGreaterThan(0);
    // Stored once it succeeded.
    kms.emulator.resetStats();
    expect(await f.prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({ phone: "fails-once" });
    expect(requests()).toBe(0);
  });

  it("a key disabled in the KMS stops reads once the TTL has run out", async () => {
    let clock = 0;
    const cached = extend(f.db.client(), kms, { cache: createKmsCache({ ttlMs: 1_000, now: () => clock }) });
    const user = await other.user.create({ data: { email: email(), phone: "disable-me" } });
    expect(await cached.user.findUnique({ where: { id: user.id } })).toMatchObject({ phone: "disable-me" });
    await kms.emulator.setKeyEnabled(kms.keys.default, false);
    try {
      clock = 999;
      expect(await cached.user.findUnique({ where: { id: user.id } })).toMatchObject({ phone: "disable-me" });
      clock = 1_000;
      await expect(cached.user.findUnique({ where: { id: user.id } })).rejects.toMatchObject({
        code: "DECRYPTION_FAILED",
        field: "phone",
      });
    } finally {
      await kms.emulator.setKeyEnabled(kms.keys.default, true);
    }
  });

  it("after rotateKey mid-run, no write uses the old version", async () => {
    const cache = createKmsCache();
    const cached = extend(f.db.client(), kms, { cache });
    const user = await cached.user.create({ data: { email: "rotating@example.com" } });
    const addresses = ["rotating@example.com", "rotated@example.com"];
    const versions: string[] = [];
    for (let i = 0; i < 10; i++) {
      if (i === 5) await kms.client.rotateKey(kms.keys.searchable);
      await cached.user.update({ where: { id: user.id }, data: { email: addresses[i % 2]! } });
      versions.push(/^ncpkms:(v\d+):/.exec(asText(await f.raw("User", "email", "id", user.id)))![1]!);
      // The lookup goes to the same version as the write.
      expect(await cached.user.findUnique({ where: { email: addresses[i % 2]! } })).toMatchObject({
        id: user.id,
      });
    }
    const first = Number(versions[0]!.slice(1));
    expect(versions).toEqual([...Array(5).fill(`v${first}`), ...Array(5).fill(`v${first + 1}`)]);
    expect(cache.stats().hits.encrypt).toBeGreaterThan(0);
  });
});
