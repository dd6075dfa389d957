/**
 * Models whose fields are named like Prisma's argument keywords (`data`,
 * `where`, `is`, `isNot`, `set`, `create`, `every`, `some`). The walk must
 * decide what a nested object is by the full set of keys each shape allows
 * (and the values' shapes), never by one key name: a nested to-one
 * `update: { where, data: { bio } }` taken for bare data would write `bio`
 * in plaintext.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachProvider } from "../helpers/providers.js";
import { createFixture, expectCiphertext, type Fixture, type Kms, startKms } from "./setup.js";

describeEachProvider("fields named like argument keywords", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let owner: { id: number };
  let item: { id: number };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    const created = await f.prisma.kwOwner.create({
      data: {
        label: "o1",
        item: {
          create: {
            data: "plain-data",
            where: "plain-where",
            is: "plain-is",
            set: "plain-set",
            create: "plain-create",
            bio: "bio-probe-0001",
            code: "CODE-0001",
          },
        },
        items: { create: [{ every: "e1", some: "s1", data: { k: 1 }, secret: "entry-secret-1" }] },
      },
      include: { item: true },
    });
    owner = created;
    item = created.item!;
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  const rawItem = (column: string) => f.raw("KwItem", column, "id", item.id);

  it("create encrypts bio and code and leaves the keyword-named columns plain", async () => {
    expectCiphertext(await rawItem("bio"), "bio-probe-0001");
    expectCiphertext(await rawItem("code"), "CODE-0001");
    expect(await rawItem("data")).toBe("plain-data");
    expect(await rawItem("set")).toBe("plain-set");
    expect(await rawItem("create")).toBe("plain-create");
  });

  it("nested to-one update { where, data: { bio } } encrypts bio", async () => {
    await f.prisma.kwOwner.update({
      where: { id: owner.id },
      data: { item: { update: { where: { id: item.id }, data: { bio: "bio-probe-0002" } } } },
    });
    expectCiphertext(await rawItem("bio"), "bio-probe-0002");
    expect(await rawItem("data")).toBe("plain-data");
    expect((await f.prisma.kwItem.findUniqueOrThrow({ where: { id: item.id } })).bio).toBe("bio-probe-0002");
  });

  it("nested to-one update { data: { bio } } (no where) encrypts bio", async () => {
    await f.prisma.kwOwner.update({
      where: { id: owner.id },
      data: { item: { update: { data: { bio: "bio-probe-0003" } } } },
    });
    expectCiphertext(await rawItem("bio"), "bio-probe-0003");
    expect(await rawItem("data")).toBe("plain-data");
  });

  it("nested to-one bare update { data, bio } writes data plain and bio encrypted", async () => {
    await f.prisma.kwOwner.update({
      where: { id: owner.id },
      data: { item: { update: { data: "plain-data-2", bio: "bio-probe-0004" } } },
    });
    expect(await rawItem("data")).toBe("plain-data-2");
    expectCiphertext(await rawItem("bio"), "bio-probe-0004");
    await f.prisma.kwOwner.update({
      where: { id: owner.id },
      data: {
        item: { update: { data: { set: "plain-data-3" }, where: "plain-where-2", bio: "bio-probe-0005" } },
      },
    });
    expect(await rawItem("data")).toBe("plain-data-3");
    expect(await rawItem("where")).toBe("plain-where-2");
    expectCiphertext(await rawItem("bio"), "bio-probe-0005");
  });

  it("an update that could be read both ways, encrypting differently, is refused before it runs", async () => {
    await expect(
      f.prisma.kwOwner.update({
        where: { id: owner.id },
        data: { item: { update: { where: "not-a-where", data: { bio: "bio-probe-0009" } } as never } },
      }),
    ).rejects.toMatchObject({ code: "ENCRYPTION_AMBIGUOUS_INPUT", model: "KwItem" });
    expectCiphertext(await rawItem("bio"));
  });

  it("a to-one filter { is: { code } } is a relation filter: the searchable lookup is encrypted and finds the row", async () => {
    const found = await f.prisma.kwOwner.findFirst({ where: { item: { is: { code: "CODE-0001" } } } });
    expect(found?.id).toBe(owner.id);
    const notFound = await f.prisma.kwOwner.findFirst({ where: { item: { isNot: { code: "CODE-0001" } } } });
    expect(notFound).toBeNull();
  });

  it("a to-one filter on a non-searchable field through is is refused, not sent as plaintext", async () => {
    await expect(
      f.prisma.kwOwner.findFirst({ where: { item: { is: { bio: "bio-probe-0004" } } } }),
    ).rejects.toMatchObject({ code: "ENCRYPTION_UNSUPPORTED_QUERY", model: "KwItem", field: "bio" });
  });

  it("a bare to-one filter on the field named is still works", async () => {
    const found = await f.prisma.kwOwner.findFirst({ where: { item: { is: "plain-is" } } });
    expect(found?.id).toBe(owner.id);
    const both = await f.prisma.kwOwner.findFirst({ where: { item: { is: "plain-is", code: "CODE-0001" } } });
    expect(both?.id).toBe(owner.id);
  });

  it("list filters and fields named every/some", async () => {
    const found = await f.prisma.kwOwner.findFirst({
      where: { items: { some: { every: "e1", some: "s1" } } },
    });
    expect(found?.id).toBe(owner.id);
    await expect(
      f.prisma.kwOwner.findFirst({ where: { items: { every: { secret: "entry-secret-1" } } } }),
    ).rejects.toMatchObject({ code: "ENCRYPTION_UNSUPPORTED_QUERY", field: "secret" });
    await f.prisma.kwOwner.update({
      where: { id: owner.id },
      data: {
        items: { updateMany: { where: { every: "e1" }, data: { secret: "entry-secret-2", data: { k: 2 } } } },
      },
    });
    const entry = await f.plain.kwEntry.findFirstOrThrow({ where: { ownerId: owner.id } });
    expectCiphertext(entry.secret, "entry-secret-2");
    expect(entry.data).toEqual({ k: 2 });
  });
});
