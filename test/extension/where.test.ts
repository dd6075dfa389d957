/**
 * Searchable `where`: equality forms, unique and compound selectors, cursor,
 * connect, relation filters and boolean combinators, all compared as
 * convergent ciphertext in the database.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachProvider } from "../helpers/providers.js";
import { asText, createFixture, type Fixture, type Kms, startKms } from "./setup.js";

describeEachProvider("extension searchable where", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let ann: { id: number };
  let ben: { id: number };
  let cat: { id: number };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    ann = await f.prisma.user.create({
      data: {
        email: "ann@example.com",
        phone: "1",
        profile: { create: { taxId: "TAX-ANN" } },
        posts: {
          create: [
            { title: "x", slug: "shared" },
            { title: "y", slug: "ann-only" },
          ],
        },
      },
    });
    ben = await f.prisma.user.create({
      data: { email: "ben@example.com", posts: { create: { title: "z", slug: "shared" } } },
    });
    cat = await f.prisma.user.create({ data: { email: "cat@example.com", phone: "3" } });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });
  const emails = async (where: object) =>
    (await f.prisma.user.findMany({ where, orderBy: { id: "asc" } })).map((u) => u.email);

  it("equals, shorthand, in, notIn and not", async () => {
    expect(await emails({ email: "ann@example.com" })).toEqual(["ann@example.com"]);
    expect(await emails({ email: { equals: "ben@example.com" } })).toEqual(["ben@example.com"]);
    expect(
      await emails({ email: { in: ["ann@example.com", "cat@example.com", "zed@example.com"] } }),
    ).toEqual(["ann@example.com", "cat@example.com"]);
    expect(await emails({ email: { notIn: ["ann@example.com"] } })).toEqual([
      "ben@example.com",
      "cat@example.com",
    ]);
    expect(await emails({ email: { not: "ben@example.com" } })).toEqual([
      "ann@example.com",
      "cat@example.com",
    ]);
    expect(await emails({ email: { not: { in: ["ann@example.com", "ben@example.com"] } } })).toEqual([
      "cat@example.com",
    ]);
    expect(await emails({ email: { in: [] } })).toEqual([]);
  });

  it("AND, OR, NOT and null checks on non-searchable fields", async () => {
    expect(await emails({ OR: [{ email: "ann@example.com" }, { email: "cat@example.com" }] })).toEqual([
      "ann@example.com",
      "cat@example.com",
    ]);
    expect(await emails({ AND: [{ email: { not: "ann@example.com" } }, { phone: { not: null } }] })).toEqual([
      "cat@example.com",
    ]);
    expect(await emails({ NOT: { email: "ann@example.com" }, phone: null })).toEqual(["ben@example.com"]);
  });

  it("compound unique selector, cursor and connect by searchable field", async () => {
    const post = await f.prisma.post.findUniqueOrThrow({
      where: { authorId_slug: { authorId: ben.id, slug: "shared" } },
    });
    expect(post.title).toBe("z");
    const page = await f.prisma.user.findMany({
      cursor: { email: "ben@example.com" },
      orderBy: { id: "asc" },
    });
    expect(page.map((u) => u.id)).toEqual([ben.id, cat.id]);
    const connected = await f.prisma.post.create({
      data: { title: "c", slug: "cat-post", author: { connect: { email: "cat@example.com" } } },
      include: { author: true },
    });
    expect(connected.author.id).toBe(cat.id);
  });

  it("relation filters some, every, none, is, isNot and to-one shorthand", async () => {
    expect(await emails({ posts: { some: { slug: "shared" } } })).toEqual([
      "ann@example.com",
      "ben@example.com",
    ]);
    expect(await emails({ posts: { some: { slug: "ann-only" } } })).toEqual(["ann@example.com"]);
    expect(await emails({ posts: { every: { slug: "shared" } }, phone: null })).toEqual(["ben@example.com"]);
    expect(await emails({ posts: { none: { slug: "ann-only" } }, phone: { not: null } })).toEqual([
      "cat@example.com",
    ]);
    expect(await emails({ profile: { is: { taxId: "TAX-ANN" } } })).toEqual(["ann@example.com"]);
    expect(await emails({ profile: { isNot: { taxId: "TAX-ANN" } } })).toEqual([
      "ben@example.com",
      "cat@example.com",
    ]);
    const posts = await f.prisma.post.findMany({ where: { author: { email: "ben@example.com" } } });
    expect(posts.map((p) => p.authorId)).toEqual([ben.id]);
    const viaIs = await f.prisma.post.findMany({ where: { author: { is: { email: "ann@example.com" } } } });
    expect(viaIs).toHaveLength(2);
  });

  it("equal plaintexts share a ciphertext in one column only", async () => {
    const rows = await f.db.query(
      `SELECT ${f.db.q("slug")} AS slug, ${f.db.q("authorId")} AS a FROM ${f.db.q("Post")} WHERE ${f.db.q("title")} IN ('x', 'z')`,
    );
    expect(rows).toHaveLength(2);
    expect(asText(rows[0]?.slug)).toBe(asText(rows[1]?.slug));
    const group = await f.prisma.group.create({ data: { name: "shared" } });
    const groupRaw = asText(await f.raw("Group", "name", "id", group.id));
    expect(groupRaw).not.toBe(asText(rows[0]?.slug));
    expect(await f.prisma.group.findMany({ where: { name: "shared" } })).toHaveLength(1);
    expect(ann.id).toBeLessThan(ben.id);
  });
});
