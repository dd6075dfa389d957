/**
 * Reads: every find, include/select at depth, the Fluent API, transactions,
 * counts and aggregates, legacy plaintext rows and older key versions.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachProvider } from "../helpers/providers.js";
import {
  asText,
  createFixture,
  expectCiphertext,
  extend,
  type Fixture,
  type Kms,
  startKms,
} from "./setup.js";

describeEachProvider("extension reads", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let alice: { id: number };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    alice = await f.prisma.user.create({
      data: {
        email: "alice@example.com",
        phone: "010-1",
        profile: { create: { bio: "alice bio", taxId: "TX-A" } },
        posts: {
          create: [
            { title: "a1", slug: "alice-1", secret: "s-a1", tags: { create: { label: "t1" } } },
            { title: "a2", slug: "alice-2", secret: "s-a2" },
          ],
        },
        groups: { create: { name: "readers" } },
      },
    });
    await f.prisma.user.create({ data: { email: "bob@example.com", phone: "010-2" } });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  it("findUnique(OrThrow), findFirst(OrThrow) and findMany decrypt", async () => {
    expect((await f.prisma.user.findUnique({ where: { id: alice.id } }))?.phone).toBe("010-1");
    expect((await f.prisma.user.findUniqueOrThrow({ where: { email: "bob@example.com" } })).phone).toBe(
      "010-2",
    );
    expect(await f.prisma.user.findFirst({ where: { phone: null } })).toBeNull();
    expect((await f.prisma.user.findFirstOrThrow({ orderBy: { id: "desc" } })).email).toBe("bob@example.com");
    const all = await f.prisma.user.findMany({ orderBy: { id: "asc" } });
    expect(all.map((u) => u.email)).toEqual(["alice@example.com", "bob@example.com"]);
    expect(await f.prisma.user.findUnique({ where: { email: "nobody@example.com" } })).toBeNull();
  });

  it("include and select at depth, with omit", async () => {
    const user = await f.prisma.user.findUniqueOrThrow({
      where: { id: alice.id },
      select: {
        email: true,
        profile: { select: { bio: true, user: { select: { phone: true } } } },
        posts: {
          select: { slug: true, tags: { select: { label: true, posts: { select: { secret: true } } } } },
        },
        groups: { include: { members: { omit: { phone: true } } } },
        _count: { select: { posts: { where: { slug: "alice-2" } } } },
      },
    });
    expect(user.email).toBe("alice@example.com");
    expect(user.profile).toEqual({ bio: "alice bio", user: { phone: "010-1" } });
    expect(user.posts.map((p) => p.slug).sort()).toEqual(["alice-1", "alice-2"]);
    const tagged = user.posts.find((p) => p.slug === "alice-1");
    expect(tagged?.tags[0]?.posts[0]?.secret).toBe("s-a1");
    expect(user.groups[0]?.name).toBe("readers");
    expect(user.groups[0]?.members[0]).toMatchObject({ email: "alice@example.com" });
    expect(user.groups[0]?.members[0]).not.toHaveProperty("phone");
    expect(user._count.posts).toBe(1);
  });

  it("Fluent API: to-many, to-one, chains and null", async () => {
    const posts = await f.prisma.user
      .findUnique({ where: { email: "alice@example.com" } })
      .posts({ orderBy: { id: "asc" } });
    expect(posts?.map((p) => p.secret)).toEqual(["s-a1", "s-a2"]);
    const filtered = await f.prisma.user
      .findUnique({ where: { id: alice.id } })
      .posts({ where: { slug: "alice-2" } });
    expect(filtered?.map((p) => p.title)).toEqual(["a2"]);
    const profile = await f.prisma.user.findUnique({ where: { id: alice.id } }).profile();
    expect(profile?.bio).toBe("alice bio");
    const post = await f.prisma.post.findFirstOrThrow({ where: { slug: "alice-1" } });
    const chained = await f.prisma.post
      .findUnique({ where: { id: post.id } })
      .author()
      .profile();
    expect(chained?.taxId).toBe("TX-A");
    const author = await f.prisma.post
      .findUniqueOrThrow({ where: { id: post.id } })
      .author({ select: { email: true } });
    expect(author).toEqual({ email: "alice@example.com" });
    const bob = await f.prisma.user.findUniqueOrThrow({ where: { email: "bob@example.com" } });
    expect(await f.prisma.user.findUnique({ where: { id: bob.id } }).profile()).toBeNull();
    // The Fluent API never leaks ciphertext.
    expect(JSON.stringify([posts, profile, chained, author])).not.toContain("ncpkms:");
  });

  it("$transaction batch and interactive transactions encrypt and decrypt", async () => {
    const [created, found, count] = await f.prisma.$transaction([
      f.prisma.user.create({ data: { email: "tx@example.com", phone: "tx-phone" } }),
      f.prisma.user.findUniqueOrThrow({ where: { email: "alice@example.com" } }),
      f.prisma.user.count({ where: { email: "bob@example.com" } }),
    ]);
    expect(created.phone).toBe("tx-phone");
    expect(found.phone).toBe("010-1");
    expect(count).toBe(1);
    expectCiphertext(await f.raw("User", "phone", "id", created.id), "tx-phone");

    const result = await f.prisma.$transaction(async (tx) => {
      const u = await tx.user.create({ data: { email: "itx@example.com", phone: "itx-phone" } });
      const back = await tx.user.findUniqueOrThrow({ where: { email: "itx@example.com" } });
      return { u, back };
    });
    expect(result.back.phone).toBe("itx-phone");
    expect(result.u.id).toBe(result.back.id);
  });

  it("an unsupported query in a batch rejects the whole batch and commits nothing", async () => {
    const before = await f.plain.user.count();
    await expect(
      f.prisma.$transaction([
        f.prisma.user.create({ data: { email: "batch-never@example.com" } }),
        f.prisma.user.findMany({ where: { phone: "x" } }),
      ]),
    ).rejects.toMatchObject({ code: "ENCRYPTION_UNSUPPORTED_QUERY" });
    expect(await f.plain.user.count()).toBe(before);
  });

  it("count, aggregate and groupBy work where they return no encrypted value", async () => {
    expect(
      await f.prisma.user.count({ where: { email: { in: ["alice@example.com", "bob@example.com"] } } }),
    ).toBe(2);
    const agg = await f.prisma.post.aggregate({
      _count: { secret: true },
      where: { author: { email: "alice@example.com" } },
    });
    expect(agg._count.secret).toBe(2);
    const groups = await f.prisma.post.groupBy({
      by: ["authorId"],
      _count: { slug: true },
      orderBy: { authorId: "asc" },
    });
    expect(groups[0]?._count.slug).toBe(2);
  });

  it("reads legacy plaintext rows (not yet migrated) as they are with allowPlaintextReads: true", async () => {
    const legacy = await f.plain.user.create({
      data: { email: "legacy@example.com", phone: "legacy-phone", notes: { old: true } },
    });
    const lenient = extend(f.db.client(), kms, { allowPlaintextReads: true });
    const read = await lenient.user.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(read).toMatchObject({ email: "legacy@example.com", phone: "legacy-phone", notes: { old: true } });
    await f.plain.user.delete({ where: { id: legacy.id } });
  });

  it("reads ciphertexts of older key versions after a rotation", async () => {
    const before = await f.prisma.user.create({ data: { email: "rot1@example.com", phone: "v1-phone" } });
    await kms.emulator.rotateKey(kms.keys.default);
    const after = await f.prisma.user.create({ data: { email: "rot2@example.com", phone: "v2-phone" } });
    expect(asText(await f.raw("User", "phone", "id", before.id))).toMatch(/^ncpkms:v1:/);
    expect(asText(await f.raw("User", "phone", "id", after.id))).toMatch(/^ncpkms:v2:/);
    const both = await f.prisma.user.findMany({
      where: { id: { in: [before.id, after.id] } },
      orderBy: { id: "asc" },
    });
    expect(both.map((u) => u.phone)).toEqual(["v1-phone", "v2-phone"]);
  });

  it("does not mutate the result objects of a nested read", async () => {
    const first = await f.prisma.user.findMany({ include: { posts: true }, orderBy: { id: "asc" } });
    const second = await f.prisma.user.findMany({ include: { posts: true }, orderBy: { id: "asc" } });
    expect(second).toEqual(first);
    expect(JSON.stringify(first)).not.toContain("ncpkms:");
  });
});
