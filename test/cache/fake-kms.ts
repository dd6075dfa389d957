/**
 * An in-memory `KmsCrypto` for the cache's unit tests: deterministic
 * (convergent-like) ciphertexts `ncpkms:v<N>:<base64(context | plaintext)>`,
 * a version that `rotate()` moves on, and a log of every value sent, so a
 * test can say exactly what reached "the KMS". Integration tests use the
 * emulator over HTTP instead.
 */
import type { KmsCrypto, Settled } from "../../src/kms/types.js";

export interface FakeKms extends KmsCrypto {
  /** Every call: action, key tag and the values it carried. */
  readonly calls: Array<{ action: string; keyTag: string; values: number }>;
  /** Values sent, summed over calls. */
  sent(action?: string): number;
  rotate(): void;
  /** Ciphertexts that fail to decrypt (each once, or always). */
  failing: Map<string, "once" | "always">;
  /** Holds every call until `release()`. */
  hold(): void;
  release(): void;
  /** Makes the next whole call throw. */
  throwNext(error: Error): void;
}

const ctxTag = (context: Uint8Array | undefined) =>
  context === undefined ? "-" : Buffer.from(context).toString("hex");

export function fakeKms(): FakeKms {
  let version = 1;
  let held: Array<() => void> | undefined;
  let nextError: Error | undefined;
  const calls: FakeKms["calls"] = [];
  const failing = new Map<string, "once" | "always">();
  const gate = async (action: string, keyTag: string, values: number) => {
    calls.push({ action, keyTag, values });
    if (held !== undefined) await new Promise<void>((r) => held?.push(r));
    if (nextError !== undefined) {
      const error = nextError;
      nextError = undefined;
      throw error;
    }
  };
  const encrypt = (keyTag: string, context: Uint8Array | undefined, p: Uint8Array) =>
    `ncpkms:v${version}:${Buffer.from(`${keyTag}|${ctxTag(context)}|`).toString("base64")}${Buffer.from(p).toString("base64")}`;
  const decrypt = (keyTag: string, context: Uint8Array | undefined, c: string): Settled<Uint8Array> => {
    const mode = failing.get(c);
    if (mode !== undefined) {
      if (mode === "once") failing.delete(c);
      return { ok: false, error: new Error("refused") };
    }
    const body = c.replace(/^ncpkms:v\d+:/, "");
    const prefix = Buffer.from(`${keyTag}|${ctxTag(context)}|`).toString("base64");
    if (!body.startsWith(prefix)) return { ok: false, error: new Error("wrong key or context") };
    return { ok: true, value: new Uint8Array(Buffer.from(body.slice(prefix.length), "base64")) };
  };
  return {
    calls,
    failing,
    sent: (action) =>
      calls.filter((c) => action === undefined || c.action === action).reduce((n, c) => n + c.values, 0),
    rotate: () => {
      version++;
    },
    hold: () => {
      held = [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const r of waiting) r();
    },
    throwNext: (error) => {
      nextError = error;
    },
    async encryptMany(keyTag, context, plaintexts) {
      await gate("encrypt", keyTag, plaintexts.length);
      return plaintexts.map((p) => encrypt(keyTag, context, p));
    },
    async decryptMany(keyTag, context, ciphertexts) {
      await gate("decrypt", keyTag, ciphertexts.length);
      return ciphertexts.map((c) => {
        const r = decrypt(keyTag, context, c);
        if (!r.ok) throw r.error;
        return r.value;
      });
    },
    async decryptManySettled(keyTag, context, ciphertexts) {
      await gate("decrypt", keyTag, ciphertexts.length);
      return ciphertexts.map((c) => decrypt(keyTag, context, c));
    },
    async reencryptMany(keyTag, context, ciphertexts) {
      await gate("re-encrypt", keyTag, ciphertexts.length);
      return ciphertexts.map((c) => {
        const r = decrypt(keyTag, context, c);
        if (!r.ok) throw r.error;
        return encrypt(keyTag, context, r.value);
      });
    },
    async reencryptManySettled(keyTag, context, ciphertexts) {
      await gate("re-encrypt", keyTag, ciphertexts.length);
      return ciphertexts.map((c) => {
        const r = decrypt(keyTag, context, c);
        return r.ok ? { ok: true, value: encrypt(keyTag, context, r.value) } : r;
      });
    },
  };
}

export const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
export const text = (value: Uint8Array) => Buffer.from(value).toString("utf8");
