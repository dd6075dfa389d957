/**
 * Legacy plaintext is opt-in: by default a column holding something other
 * than KMS ciphertext fails the read (a value planted by anyone with write
 * access must never come back as genuine data). With
 * `allowPlaintextReads: true` (the `migrate encrypt` window) it reads as it
 * is, and every such read is reported through `onEvent`, so a team can see
 * how much is left.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EncryptionEvent } from "../../src/extension/index.js";
import { describeEachProvider } from "../helpers/providers.js";
import { createFixture, extend, type Fixture, type Kms, startKms } from "./setup.js";

describeEachProvider("legacy plaintext reads", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let legacy: { id: number };
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    legacy = await f.plain.user.create({
      data: { email: "legacy@example.com", phone: "legacy-phone", notes: { old: true } },
    });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  it("are refused by default, naming Model.field and the row", async () => {
    const error = await f.prisma.user.findUnique({ where: { id: legacy.id } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PLAINTEXT_NOT_ALLOWED", model: "User", rowId: legacy.id });
    expect((error as Error).message).not.toContain("legacy-phone");
    expect((error as Error).message).not.toContain("legacy@example.com");
  });

  it("a planted non-ciphertext value in an encrypted row is refused too", async () => {
    const real = await f.prisma.user.create({ data: { email: "real@example.com", phone: "real-phone" } });
    await f.db.query(`UPDATE ${f.db.q("User")} SET ${f.db.q("phone")} = ? WHERE ${f.db.q("id")} = ?`, [
      "planted-by-attacker",
      real.id,
    ]);
    await expect(f.prisma.user.findUnique({ where: { id: real.id } })).rejects.toMatchObject({
      code: "PLAINTEXT_NOT_ALLOWED",
      field: "phone",
    });
  });

  it("read as they are with allowPlaintextReads: true, and each read is reported", async () => {
    const events: EncryptionEvent[] = [];
    const lenient = extend(f.db.client(), kms, {
      allowPlaintextReads: true,
      onEvent: (event) => events.push(event),
    });
    const read = await lenient.user.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(read).toMatchObject({ email: "legacy@example.com", phone: "legacy-phone", notes: { old: true } });
    expect(events).toEqual([
      { type: "plaintext-read", model: "User", field: "email", operation: "findUniqueOrThrow", count: 1 },
      { type: "plaintext-read", model: "User", field: "phone", operation: "findUniqueOrThrow", count: 1 },
      { type: "plaintext-read", model: "User", field: "notes", operation: "findUniqueOrThrow", count: 1 },
    ]);
    expect(JSON.stringify(events)).not.toContain("legacy");

    events.length = 0;
    await f.plain.user.create({ data: { email: "legacy2@example.com", phone: "p2" } });
    await lenient.user.findMany({ where: { email: { in: ["legacy@example.com", "legacy2@example.com"] } } });
    // The searchable lookup cannot match plaintext rows; a scan by id does.
    await lenient.user.findMany({ where: { id: { gte: legacy.id } }, select: { phone: true } });
    const phone = events.filter((e) => e.field === "phone");
    expect(phone.at(-1)).toMatchObject({ operation: "findMany" });
    expect(phone.at(-1)?.count).toBeGreaterThanOrEqual(2);
  });

  it("encrypted values are not reported", async () => {
    const events: EncryptionEvent[] = [];
    const lenient = extend(f.db.client(), kms, { allowPlaintextReads: true, onEvent: (e) => events.push(e) });
    const fresh = await lenient.user.create({ data: { email: "fresh@example.com", phone: "fresh-phone" } });
    expect((await lenient.user.findUniqueOrThrow({ where: { id: fresh.id } })).phone).toBe("fresh-phone");
    expect(events).toEqual([]);
  });
});
