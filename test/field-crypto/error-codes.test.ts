/**
 * One failure, one code: a ciphertext copied into another column is
 * DECRYPTION_WRONG_COLUMN in the extension's error and in migrate's report
 * alike (migrate used to say ENVELOPE_WRONG_COLUMN).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMigration } from "../../src/migrate/index.js";
import { asText, createFixture, type Fixture, type Kms, map, startKms } from "../extension/setup.js";
import { describeEachProvider } from "../helpers/providers.js";

describeEachProvider("one code per failure", (provider) => {
  let kms: Kms;
  let f: Fixture;
  let profileId: number;
  let copied: string;
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    const user = await f.prisma.user.create({
      data: {
        email: "codes@example.com",
        phone: "codes-phone-1234",
        profile: { create: { bio: "own bio" } },
      },
      include: { profile: true },
    });
    profileId = user.profile!.id;
    // Same key (default), another column: decrypts, but the envelope names User.phone.
    copied = asText(await f.raw("User", "phone", "id", user.id));
    await f.db.query(`UPDATE ${f.db.q("Profile")} SET ${f.db.q("bio")} = ? WHERE ${f.db.q("id")} = ?`, [
      copied,
      profileId,
    ]);
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  it("the extension throws DECRYPTION_WRONG_COLUMN", async () => {
    await expect(f.prisma.profile.findUnique({ where: { id: profileId } })).rejects.toMatchObject({
      code: "DECRYPTION_WRONG_COLUMN",
      model: "Profile",
      field: "bio",
    });
  });

  it("migrate decrypt reports DECRYPTION_WRONG_COLUMN and leaves the value", async () => {
    const summary = await runMigration({
      prisma: f.plain,
      map,
      kms: kms.client,
      keys: kms.keys,
      mode: "decrypt",
      models: ["Profile"],
      fields: ["Profile.bio"],
      stateDir: mkdtempSync(join(tmpdir(), "pnk-codes-")),
    });
    expect(summary.failures).toEqual([
      expect.objectContaining({ model: "Profile", field: "bio", code: "DECRYPTION_WRONG_COLUMN" }),
    ]);
    expect(asText(await f.raw("Profile", "bio", "id", profileId))).toBe(copied);
  });
});
