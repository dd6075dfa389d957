/**
 * The convergent encrypt cache and what writes teach: (key tag, context,
 * plaintext) → ciphertext for convergent keys only, every encrypt result
 * also filling the decrypt cache, and older key versions retired when a
 * newer one is seen (a response, a decrypted ciphertext, a rotation).
 */
import { describe, expect, it } from "vitest";
import { createKmsCache } from "../../src/field-crypto/cache/index.js";
import type { KmsCrypto } from "../../src/kms/types.js";
import { bytes, fakeKms, text } from "./fake-kms.js";

const ctx = bytes("email-context");

function setup() {
  let clock = 0;
  const cache = createKmsCache({ ttlMs: 60_000, now: () => clock });
  const inner = fakeKms();
  const kms = cache.wrap(inner, { convergentKeyTags: ["conv"] });
  return { cache, inner, kms, advance: (ms: number) => (clock += ms) };
}

describe("convergent encrypt cache", () => {
  it("sends a searchable plaintext once, then answers it from memory until the TTL", async () => {
    const t = setup();
    const [first] = await t.kms.encryptMany("conv", ctx, [bytes("a@example.com")]);
    const [second] = await t.kms.encryptMany("conv", ctx, [bytes("a@example.com")]);
    expect(second).toBe(first);
    expect(t.inner.sent("encrypt")).toBe(1);
    t.advance(60_000);
    await t.kms.encryptMany("conv", ctx, [bytes("a@example.com")]);
    expect(t.inner.sent("encrypt")).toBe(2);
    expect(t.cache.stats().hits.encrypt).toBe(1);
  });

  it("keys on context: the same plaintext for another column goes to the KMS", async () => {
    const t = setup();
    await t.kms.encryptMany("conv", ctx, [bytes("same")]);
    const [other] = await t.kms.encryptMany("conv", bytes("other-column"), [bytes("same")]);
    expect(t.inner.sent("encrypt")).toBe(2);
    expect(other).not.toBe((await t.kms.encryptMany("conv", ctx, [bytes("same")]))[0]);
  });

  it("never reuses a ciphertext of a random-IV key (or of a call without context)", async () => {
    const t = setup();
    await t.kms.encryptMany("random", undefined, [bytes("x"), bytes("x")]);
    await t.kms.encryptMany("random", undefined, [bytes("x")]);
    await t.kms.encryptMany("conv", undefined, [bytes("x")]);
    await t.kms.encryptMany("conv", undefined, [bytes("x")]);
    expect(t.inner.sent("encrypt")).toBe(5);
    expect(t.cache.stats().hits.encrypt).toBe(0);
  });

  it("a write teaches the decrypt cache: reading back what was written needs no KMS call", async () => {
    const t = setup();
    const [random] = await t.kms.encryptMany("random", undefined, [bytes("phone")]);
    const [searchable] = await t.kms.encryptMany("conv", ctx, [bytes("mail")]);
    expect((await t.kms.decryptMany("random", undefined, [random!])).map(text)).toEqual(["phone"]);
    expect((await t.kms.decryptManySettled("conv", ctx, [searchable!]))[0]).toMatchObject({ ok: true });
    expect(t.inner.sent("decrypt")).toBe(0);
    // ... but only under the key and context it was written with.
    await t.kms.decryptManySettled("conv", bytes("elsewhere"), [searchable!]);
    expect(t.inner.sent("decrypt")).toBe(1);
  });

  it("a convergent decrypt teaches the encrypt cache, but only on the newest version seen", async () => {
    const t = setup();
    const [c] = await t.inner.encryptMany("conv", ctx, [bytes("read@example.com")]);
    await t.kms.decryptManySettled("conv", ctx, [c!]); // a row read, e.g. by id
    expect(await t.kms.encryptMany("conv", ctx, [bytes("read@example.com")])).toEqual([c]);
    expect(t.inner.sent("encrypt")).toBe(1); // only the one made directly above
    // A random-IV key learns nothing for encryption from a decrypt.
    const [r] = await t.inner.encryptMany("random", undefined, [bytes("r")]);
    await t.kms.decryptManySettled("random", undefined, [r!]);
    await t.kms.encryptMany("random", undefined, [bytes("r")]);
    expect(t.inner.sent("encrypt")).toBe(3);
    // An old-version ciphertext read after a newer version was seen is not reused for writes.
    const [old] = await t.inner.encryptMany("conv", ctx, [bytes("old@example.com")]);
    t.inner.rotate();
    await t.kms.encryptMany("conv", ctx, [bytes("new@example.com")]); // sees v2
    await t.kms.decryptManySettled("conv", ctx, [old!]);
    expect((await t.kms.encryptMany("conv", ctx, [bytes("old@example.com")]))[0]).toMatch(/^ncpkms:v2:/);
  });

  it("an encrypt failure is not stored, and is shared only with callers already waiting", async () => {
    const t = setup();
    t.inner.throwNext(new Error("KMS down"));
    await expect(t.kms.encryptMany("conv", ctx, [bytes("q")])).rejects.toThrow("KMS down");
    const [c] = await t.kms.encryptMany("conv", ctx, [bytes("q")]);
    expect(c).toMatch(/^ncpkms:v1:/);
    expect(t.inner.sent("encrypt")).toBe(2);
  });
});

describe("key versions", () => {
  const encryptOne = async (kms: KmsCrypto, value: string) =>
    (await kms.encryptMany("conv", ctx, [bytes(value)]))[0]!;

  it("a response on a newer version retires the cached ciphertexts of older ones", async () => {
    const t = setup();
    expect(await encryptOne(t.kms, "a")).toMatch(/^ncpkms:v1:/);
    t.inner.rotate(); // elsewhere: the cache does not know yet
    expect(await encryptOne(t.kms, "a")).toMatch(/^ncpkms:v1:/); // still within TTL, not yet seen
    expect(await encryptOne(t.kms, "b")).toMatch(/^ncpkms:v2:/); // a response on v2 ...
    expect(await encryptOne(t.kms, "a")).toMatch(/^ncpkms:v2:/); // ... so v1 entries stop being used
    expect(t.cache.stats().retired).toBe(1);
  });

  it("a decrypted ciphertext on a newer version retires them too", async () => {
    const t = setup();
    await encryptOne(t.kms, "a");
    t.inner.rotate();
    const newer = (await t.inner.encryptMany("conv", ctx, [bytes("from another process")]))[0]!;
    await t.kms.decryptManySettled("conv", ctx, [newer]);
    expect(await encryptOne(t.kms, "a")).toMatch(/^ncpkms:v2:/);
  });

  it("a re-encrypt result on a newer version retires them too", async () => {
    const t = setup();
    const old = await encryptOne(t.kms, "a");
    t.inner.rotate();
    await t.kms.reencryptManySettled("conv", ctx, [old]);
    expect(await encryptOne(t.kms, "a")).toMatch(/^ncpkms:v2:/);
  });

  it("keyRotated() retires them at once, and a call in flight across the rotation is not stored", async () => {
    const t = setup();
    await encryptOne(t.kms, "a");
    t.inner.rotate();
    t.cache.keyRotated("conv");
    expect(await encryptOne(t.kms, "a")).toMatch(/^ncpkms:v2:/);

    t.inner.hold();
    const inFlight = encryptOne(t.kms, "c");
    await new Promise((r) => setImmediate(r));
    t.cache.keyRotated("conv"); // rotated while "c" was on its way: its answer may be on the old version
    t.inner.release();
    await inFlight;
    const sent = t.inner.sent("encrypt");
    await encryptOne(t.kms, "c");
    expect(t.inner.sent("encrypt")).toBe(sent + 1);
  });

  it("after a rotation of unknown version, a decrypted old ciphertext is not reused until an encrypt confirms", async () => {
    const t = setup();
    const [old] = await t.inner.encryptMany("conv", ctx, [bytes("old@example.com")]);
    await encryptOne(t.kms, "seen"); // v1 seen
    t.inner.rotate();
    t.cache.keyRotated("conv");
    await t.kms.decryptManySettled("conv", ctx, [old!]); // an old row read after the rotation
    expect(await encryptOne(t.kms, "old@example.com")).toMatch(/^ncpkms:v2:/);
    // Once an encrypt answered on v2, reads of v2 rows teach the encrypt cache again.
    const [fresh] = await t.inner.encryptMany("conv", ctx, [bytes("fresh@example.com")]);
    await t.kms.decryptManySettled("conv", ctx, [fresh!]);
    const sent = t.inner.sent("encrypt");
    expect(await encryptOne(t.kms, "fresh@example.com")).toBe(fresh);
    expect(t.inner.sent("encrypt")).toBe(sent);
  });

  it("a re-encrypt request seen through the client's events (a migration here) retires the key's entries", async () => {
    const cache = createKmsCache();
    const inner = fakeKms();
    const listeners: Array<(e: { type: string; action?: string; keyTag?: string; status?: number }) => void> =
      [];
    const client = Object.assign(inner, { on: (l: (typeof listeners)[number]) => listeners.push(l) });
    const kms = cache.wrap(client, { convergentKeyTags: ["conv"] });
    await kms.encryptMany("conv", ctx, [bytes("a")]);
    inner.rotate(); // rotated elsewhere
    for (const l of listeners) l({ type: "request", action: "re-encrypt", keyTag: "conv", status: 200 });
    expect((await kms.encryptMany("conv", ctx, [bytes("a")]))[0]).toMatch(/^ncpkms:v2:/);
  });

  it("sees rotateKey through a client's request events", async () => {
    let clock = 0;
    const cache = createKmsCache({ now: () => clock++ });
    const inner = fakeKms();
    const listeners: Array<(e: { type: string; action?: string; keyTag?: string; status?: number }) => void> =
      [];
    const client = Object.assign(inner, { on: (l: (typeof listeners)[number]) => listeners.push(l) });
    const kms = cache.wrap(client, { convergentKeyTags: ["conv"] });
    await kms.encryptMany("conv", ctx, [bytes("a")]);
    inner.rotate();
    for (const l of listeners) l({ type: "request", action: "rotate-key", keyTag: "conv", status: 500 });
    expect((await kms.encryptMany("conv", ctx, [bytes("a")]))[0]).toMatch(/^ncpkms:v1:/); // a failed rotation changes nothing
    for (const l of listeners) l({ type: "request", action: "rotate-key", keyTag: "conv", status: 200 });
    expect((await kms.encryptMany("conv", ctx, [bytes("a")]))[0]).toMatch(/^ncpkms:v2:/);
  });
});
