/**
 * The KMS quota is the scarce resource: a createMany of 1,000 rows × 2
 * encrypted fields costs the minimum number of array requests (one per key
 * and context, split only at the 32 KB request limit), and so does reading
 * them back; concurrent queries share requests.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachProvider } from "../helpers/providers.js";
import { createFixture, expectCiphertext, extend, type Fixture, type Kms, startKms } from "./setup.js";

const ROWS = 1000;
const envelopeHeader = 10;
const requestLimit = 32_768;
const email = (i: number) => `u${String(i).padStart(5, "0")}@example.com`;
// 40-character phones: 50-byte envelopes, so 1,000 of them need two 32 KB requests.
const phone = (i: number) => `+82-10-${String(i).padStart(33, "0")}`;

// The KMS client sizes a decrypt item by its ciphertext payload: the envelope plus a 12-byte IV and a 16-byte tag.
const gcmOverhead = 28;

/** Fewest array requests for equally sized items under the byte limit and 1,000 items per request. */
function minimumRequests(count: number, itemBytes: number): number {
  const perRequest = Math.min(1000, Math.floor(requestLimit / itemBytes));
  return Math.ceil(count / perRequest);
}
const encryptSize = (text: string) => Buffer.byteLength(text) + envelopeHeader;
const decryptSize = (text: string) => encryptSize(text) + gcmOverhead;

describeEachProvider("extension KMS request count", (provider) => {
  let kms: Kms;
  let f: Fixture;
  beforeAll(async () => {
    kms = await startKms();
    f = await createFixture(provider, kms);
    // Each key is checked once, before its first write: do that here, so the counts below are the writes' own.
    await f.prisma.user.findUnique({ where: { email: "warm-up@example.com" } });
    await f.prisma.user.updateMany({ where: { id: -1 }, data: { phone: "warm-up" } });
  });
  afterAll(async () => {
    await f?.close();
    await kms?.close();
  });

  const expected =
    minimumRequests(ROWS, encryptSize(email(0))) + minimumRequests(ROWS, encryptSize(phone(0)));
  const expectedDecrypt =
    minimumRequests(ROWS, decryptSize(email(0))) + minimumRequests(ROWS, decryptSize(phone(0)));

  it("createMany of 1,000 rows × 2 fields makes the minimum number of requests", async () => {
    expect(expected).toBe(3);
    kms.emulator.resetStats();
    const data = Array.from({ length: ROWS }, (_, i) => ({ email: email(i), phone: phone(i) }));
    const { count } = await f.prisma.user.createMany({ data });
    expect(count).toBe(ROWS);
    const stats = kms.stats();
    expect(stats.byAction).toEqual({ encrypt: expected });
    expect(stats.requests).toBe(expected);
    expect(stats.values).toBe(2 * ROWS);
    const sample = await f.db.query(
      `SELECT ${f.db.q("email")} AS e, ${f.db.q("phone")} AS p FROM ${f.db.q("User")} LIMIT 5`,
    );
    for (const row of sample) {
      expectCiphertext(row.e, "@example.com");
      expectCiphertext(row.p, "+82-10-");
    }
  });

  it("findMany of the 1,000 rows decrypts with the same minimum", async () => {
    kms.emulator.resetStats();
    // The cache would answer rows this client just wrote: count what a cold read sends.
    const cold = extend(f.db.client(), kms, { cache: false });
    const users = await cold.user.findMany({ orderBy: { id: "asc" } });
    expect(users).toHaveLength(ROWS);
    expect(users[999]).toMatchObject({ email: email(999), phone: phone(999) });
    expect(expectedDecrypt).toBe(5);
    expect(kms.stats().byAction).toEqual({ decrypt: expectedDecrypt });
  });

  it("concurrent queries share KMS requests", async () => {
    kms.emulator.resetStats();
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        f.prisma.user.create({ data: { email: `c${i}@example.com`, phone: `p${i}` } }),
      ),
    );
    expect(created.map((u) => u.phone)).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}`));
    // 40 queries × 2 fields × (encrypt + decrypt) would be 160 requests one by one.
    expect(kms.stats().requests).toBeLessThan(40);
    void provider;
  });
});
