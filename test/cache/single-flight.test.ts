/**
 * Duplicates are sent once and fanned out: the same ciphertext (or
 * searchable plaintext) twice in one call, or in concurrent calls while the
 * first is in flight.
 */
import { describe, expect, it } from "vitest";
import { createKmsCache } from "../../src/field-crypto/cache/index.js";
import { bytes, fakeKms, text } from "./fake-kms.js";

const ctx = bytes("ctx");

function setup() {
  const cache = createKmsCache();
  const inner = fakeKms();
  return { cache, inner, kms: cache.wrap(inner, { convergentKeyTags: ["conv"] }) };
}

describe("single flight", () => {
  it("sends a ciphertext repeated inside one call once, answering every position", async () => {
    const t = setup();
    const [a, b] = await t.inner.encryptMany("k", undefined, [bytes("a"), bytes("b")]);
    const out = await t.kms.decryptManySettled("k", undefined, [a!, b!, a!, a!]);
    expect(out.map((o) => (o.ok ? text(o.value) : "x"))).toEqual(["a", "b", "a", "a"]);
    expect(t.inner.calls.at(-1)).toEqual({ action: "decrypt", keyTag: "k", values: 2 });
  });

  it("concurrent calls for the same ciphertext share one KMS round trip", async () => {
    const t = setup();
    const [a, b] = await t.inner.encryptMany("k", undefined, [bytes("a"), bytes("b")]);
    t.inner.hold();
    const first = t.kms.decryptManySettled("k", undefined, [a!]);
    const second = t.kms.decryptManySettled("k", undefined, [a!, b!]);
    const third = t.kms.decryptMany("k", undefined, [a!]); // unsettled calls fly separately
    t.inner.release();
    const [r1, r2, r3] = await Promise.all([first, second, third]);
    expect(r1[0]?.ok && text(r1[0].value)).toBe("a");
    expect(r2.map((o) => o.ok && text(o.value))).toEqual(["a", "b"]);
    expect(text(r3[0]!)).toBe("a");
    expect(t.inner.calls.filter((c) => c.action === "decrypt").map((c) => c.values)).toEqual([1, 1, 1]);
    expect(t.cache.stats().joined.decrypt).toBe(1);
  });

  it("a failure in flight reaches every waiting caller and is then forgotten", async () => {
    const t = setup();
    const [a] = await t.inner.encryptMany("k", undefined, [bytes("a")]);
    t.inner.failing.set(a!, "once");
    t.inner.hold();
    const both = Promise.all([
      t.kms.decryptManySettled("k", undefined, [a!]),
      t.kms.decryptManySettled("k", undefined, [a!]),
    ]);
    t.inner.release();
    const [x, y] = await both;
    expect([x[0]?.ok, y[0]?.ok]).toEqual([false, false]);
    expect((await t.kms.decryptManySettled("k", undefined, [a!]))[0]?.ok).toBe(true);
    expect(t.inner.sent("decrypt")).toBe(2);
  });

  it("concurrent writes of the same searchable value encrypt it once", async () => {
    const t = setup();
    t.inner.hold();
    const calls = [
      t.kms.encryptMany("conv", ctx, [bytes("dup@example.com"), bytes("dup@example.com")]),
      t.kms.encryptMany("conv", ctx, [bytes("dup@example.com"), bytes("other@example.com")]),
    ];
    t.inner.release();
    const [one, two] = await Promise.all(calls);
    expect(new Set([...one!, two![0]]).size).toBe(1);
    expect(t.inner.sent("encrypt")).toBe(2);
  });
});
