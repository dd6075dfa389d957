/**
 * Every write operation stores ciphertext (checked raw through the driver)
 * and reads back the plaintext through the extended client, on each provider.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { Prisma } from "../../prisma/generated/sqlite/client/client.js";
import { describeEachProvider } from "../helpers/providers.js";
import { asText, createFixture, expectCiphertext, type Fixture, type Kms, startKms } from "./setup.js";

describeEachProvider("extension writes", (provider) => {
  let kms: Kms;
  let f: Fixture;
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });
  const raw = (table: string, column: string, id: unknown) => f.raw(table, column, "id", id);

  it("create encrypts String, Json and Bytes fields and returns them decrypted with their types", async () => {
    const avatar = new Uint8Array([0, 1, 2, 250]);
    const user = await f.prisma.user.create({
      data: { email: "create@example.com", phone: "010-1234", notes: { tier: "gold", n: [1, 2] }, avatar },
    });
    expect(user).toMatchObject({
      email: "create@example.com",
      phone: "010-1234",
      notes: { tier: "gold", n: [1, 2] },
    });
    expect(Buffer.from(user.avatar as Uint8Array)).toEqual(Buffer.from(avatar));
    expectCiphertext(await raw("User", "email", user.id), "create@example.com");
    expectCiphertext(await raw("User", "phone", user.id), "010-1234");
    expectCiphertext(await raw("User", "notes", user.id), "gold");
    expectCiphertext(await raw("User", "avatar", user.id));
    const again = await f.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(again.notes).toEqual({ tier: "gold", n: [1, 2] });
    expect(Buffer.from(again.avatar as Uint8Array)).toEqual(Buffer.from(avatar));
  });

  it("passes null and undefined through and encrypts the empty string", async () => {
    const user = await f.prisma.user.create({ data: { email: "", phone: null, notes: undefined } });
    expectCiphertext(await raw("User", "email", user.id));
    expect(await raw("User", "phone", user.id)).toBeNull();
    expect(await raw("User", "notes", user.id)).toBeNull();
    expect(user).toMatchObject({ email: "", phone: null, notes: null });
  });

  it("Prisma.DbNull and JsonNull are stored as nulls, not encrypted, and filter on encrypted Json", async () => {
    const dbNull = await f.prisma.user.create({
      data: { email: "dbnull@example.com", notes: Prisma.DbNull },
    });
    expect(await raw("User", "notes", dbNull.id)).toBeNull();
    const jsonNull = await f.prisma.user.create({
      data: { email: "jsonnull@example.com", notes: Prisma.JsonNull },
    });
    expect(asText(await raw("User", "notes", jsonNull.id))).not.toContain("ncpkms:");
    const found = await f.prisma.user.findMany({
      where: { notes: { equals: Prisma.DbNull } },
      select: { email: true },
    });
    expect(found.map((u) => u.email)).toContain("dbnull@example.com");
  });

  it("createMany and createManyAndReturn encrypt every row", async () => {
    const { count } = await f.prisma.user.createMany({
      data: [
        { email: "many1@example.com", phone: "p1" },
        { email: "many2@example.com", phone: "p2" },
      ],
    });
    expect(count).toBe(2);
    const rows = await f.db.query(
      `SELECT ${f.db.q("email")} AS email, ${f.db.q("phone")} AS phone FROM ${f.db.q("User")} ORDER BY ${f.db.q("id")} DESC LIMIT 2`,
    );
    for (const row of rows) {
      expectCiphertext(row.email, "@example.com");
      expectCiphertext(row.phone);
    }
    if (provider === "mysql") return; // MySQL has no createManyAndReturn
    const returned = await f.prisma.user.createManyAndReturn({
      data: [{ email: "mar1@example.com", phone: "m1" }, { email: "mar2@example.com" }],
    });
    expect(returned.map((u) => [u.email, u.phone])).toEqual([
      ["mar1@example.com", "m1"],
      ["mar2@example.com", null],
    ]);
    expectCiphertext(await raw("User", "email", returned[0]?.id), "mar1");
  });

  it("update, with plain values and { set }, and updateMany", async () => {
    const user = await f.prisma.user.create({ data: { email: "upd@example.com", phone: "old" } });
    const updated = await f.prisma.user.update({
      where: { id: user.id },
      data: { phone: { set: "new-phone" }, notes: ["a"] },
    });
    expect(updated).toMatchObject({ phone: "new-phone", notes: ["a"] });
    expectCiphertext(await raw("User", "phone", user.id), "new-phone");
    const { count } = await f.prisma.user.updateMany({ where: { id: user.id }, data: { phone: "bulk" } });
    expect(count).toBe(1);
    expectCiphertext(await raw("User", "phone", user.id), "bulk");
    expect((await f.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).phone).toBe("bulk");
    if (provider !== "mysql") {
      const rows = await f.prisma.user.updateManyAndReturn({
        where: { id: user.id },
        data: { phone: "returned" },
      });
      expect(rows[0]?.phone).toBe("returned");
    }
  });

  it("upsert encrypts the create branch and the update branch", async () => {
    const created = await f.prisma.user.upsert({
      where: { email: "ups@example.com" },
      create: { email: "ups@example.com", phone: "c" },
      update: { phone: "u" },
    });
    expect(created.phone).toBe("c");
    expectCiphertext(await raw("User", "email", created.id), "ups@");
    const updated = await f.prisma.user.upsert({
      where: { email: "ups@example.com" },
      create: { email: "ups@example.com", phone: "c" },
      update: { phone: "upserted-2" },
    });
    expect(updated.id).toBe(created.id);
    expect(updated.phone).toBe("upserted-2");
    expectCiphertext(await raw("User", "phone", created.id), "upserted-2");
  });

  it("delete and deleteMany find rows by searchable where", async () => {
    await f.prisma.user.create({ data: { email: "del1@example.com" } });
    await f.prisma.user.create({ data: { email: "del2@example.com" } });
    const deleted = await f.prisma.user.delete({ where: { email: "del1@example.com" } });
    expect(deleted.email).toBe("del1@example.com");
    const { count } = await f.prisma.user.deleteMany({
      where: { email: { in: ["del2@example.com", "none"] } },
    });
    expect(count).toBe(1);
  });

  it("nested writes at depth: create, createMany, connectOrCreate, update, updateMany, upsert, set, connect", async () => {
    const group = await f.prisma.group.create({ data: { name: "admins" } });
    const user = await f.prisma.user.create({
      data: {
        email: "nested@example.com",
        profile: { create: { bio: "hello bio", taxId: "T-1" } },
        posts: {
          create: [
            { title: "one", slug: "s-one", secret: "sec1", tags: { create: { label: "tag-nested" } } },
          ],
          createMany: { data: [{ title: "two", slug: "s-two", secret: "sec2" }] },
          connectOrCreate: {
            where: { authorId_slug: { authorId: 0, slug: "s-three" } },
            create: { title: "three", slug: "s-three" },
          },
        },
        groups: { connect: { id: group.id } },
      },
      include: { profile: true, posts: { orderBy: { id: "asc" } }, groups: true },
    });
    expect(user.profile).toMatchObject({ bio: "hello bio", taxId: "T-1" });
    expect(user.posts.map((p) => [p.slug, p.secret])).toEqual([
      ["s-one", "sec1"],
      ["s-two", "sec2"],
      ["s-three", null],
    ]);
    expect(user.groups[0]?.name).toBe("admins");
    expectCiphertext(await raw("Profile", "bio", user.profile?.id), "hello bio");
    for (const post of user.posts) expectCiphertext(await raw("Post", "slug", post.id), post.slug);
    expectCiphertext(await raw("Group", "name", group.id), "admins");

    const one = user.posts[0]?.id as number;
    const updated = await f.prisma.user.update({
      where: { email: "nested@example.com" },
      data: {
        profile: { update: { bio: { set: "new bio" } } },
        posts: {
          update: {
            where: { authorId_slug: { authorId: user.id, slug: "s-one" } },
            data: { secret: "sec1b" },
          },
          updateMany: { where: { slug: { in: ["s-two", "s-three"] } }, data: { secret: "bulk" } },
          upsert: {
            where: { authorId_slug: { authorId: user.id, slug: "s-four" } },
            create: { title: "four", slug: "s-four", secret: "sec4" },
            update: { secret: "never" },
          },
        },
      },
      include: { profile: true, posts: { orderBy: { id: "asc" } } },
    });
    expect(updated.profile?.bio).toBe("new bio");
    expect(updated.posts.map((p) => p.secret)).toEqual(["sec1b", "bulk", "bulk", "sec4"]);
    expectCiphertext(await raw("Post", "secret", one), "sec1b");
    expectCiphertext(await raw("Profile", "bio", user.profile?.id), "new bio");

    const other = await f.prisma.user.create({ data: { email: "nested-set@example.com" } });
    const moved = await f.prisma.group.update({
      where: { id: group.id },
      data: { name: { set: "renamed" }, members: { set: [{ email: "nested-set@example.com" }] } },
      include: { members: true },
    });
    expect(moved.name).toBe("renamed");
    expect(moved.members.map((m) => m.id)).toEqual([other.id]);
  });

  it("to-one nested upsert and update with { where, data }", async () => {
    const user = await f.prisma.user.create({ data: { email: "toone@example.com" } });
    const withProfile = await f.prisma.user.update({
      where: { id: user.id },
      data: { profile: { upsert: { create: { bio: "created" }, update: { bio: "updated" } } } },
      include: { profile: true },
    });
    expect(withProfile.profile?.bio).toBe("created");
    const post = await f.prisma.post.create({ data: { title: "t", slug: "toone", authorId: user.id } });
    const viaPost = await f.prisma.post.update({
      where: { id: post.id },
      data: { author: { update: { where: { email: "toone@example.com" }, data: { phone: "via-post" } } } },
      include: { author: true },
    });
    expect(viaPost.author.phone).toBe("via-post");
    expectCiphertext(await raw("User", "phone", user.id), "via-post");
  });

  it("never mutates the caller's args", async () => {
    const data = {
      email: "immutable@example.com",
      phone: "keep",
      posts: { create: [{ title: "t", slug: "imm", secret: "s" }] },
    };
    const snapshot = structuredClone(data);
    const args = { data, include: { posts: true } };
    await f.prisma.user.create(args);
    expect(data).toEqual(snapshot);
    const where = { email: { in: ["immutable@example.com"] } };
    await f.prisma.user.findMany({ where });
    expect(where).toEqual({ email: { in: ["immutable@example.com"] } });
  });
});
