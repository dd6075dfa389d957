import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { b64, call, unb64, v1, v2 } from "./sign.js";

let emu: RunningEmulator;
let aes: string;
let conv: string;
let rsa: string;
let ecdsa: string;
const ctx = b64("users.email");

beforeAll(async () => {
  emu = await startEmulator({ tpsV1: 100_000, tpsV2: 100_000 });
  aes = (await emu.createKey({ keyName: "aes" })).keyTag;
  conv = (await emu.createKey({ keyName: "conv", isConvergent: true })).keyTag;
  rsa = (await emu.createKey({ keyName: "rsa", keyType: "RSA2048" })).keyTag;
  ecdsa = (await emu.createKey({ keyName: "ecdsa", keyType: "ECDSA" })).keyTag;
});
afterAll(() => emu.close());

async function encrypt(keyTag: string, plaintext: string | string[], context?: string) {
  return call(emu, v2(keyTag, "encrypt"), { body: { plaintext, ...(context ? { context } : {}) } });
}
async function decrypt(keyTag: string, ciphertext: string | string[], context?: string) {
  return call(emu, v2(keyTag, "decrypt"), { body: { ciphertext, ...(context ? { context } : {}) } });
}

describe("encrypt / decrypt", () => {
  it("returns a string for a string and an ncpkms:v1: ciphertext", async () => {
    const res = await encrypt(aes, b64("alice@example.com"));
    expect(res.status).toBe(200);
    expect(res.json.data!.ciphertext).toMatch(/^ncpkms:v1:[A-Za-z0-9+/=]+$/);
    const back = await decrypt(aes, res.json.data!.ciphertext as string);
    expect(unb64(back.json.data!.plaintext)).toBe("alice@example.com");
  });

  it("keeps array shape and order", async () => {
    const values = Array.from({ length: 50 }, (_, i) => `value-${i}`);
    const enc = await encrypt(aes, values.map(b64));
    const ct = enc.json.data!.ciphertext as string[];
    expect(ct).toHaveLength(50);
    const dec = await decrypt(aes, ct);
    expect((dec.json.data!.plaintext as string[]).map(unb64)).toEqual(values);
  });

  it("decrypts on API 1.0 what API 2.0 encrypted (same keystore)", async () => {
    const enc = await encrypt(aes, b64("cross"));
    const dec = await call(emu, v1(1, aes, "decrypt"), {
      auth: { kind: "v1" },
      body: { ciphertext: enc.json.data!.ciphertext },
    });
    expect(unb64(dec.json.data!.plaintext)).toBe("cross");
  });

  it("encrypts the empty string ([ours])", async () => {
    const enc = await encrypt(aes, "");
    expect(enc.status).toBe(200);
    expect((await decrypt(aes, enc.json.data!.ciphertext as string)).json.data!.plaintext).toBe("");
  });

  it("gives a different ciphertext each time for a non-convergent key", async () => {
    const enc = await encrypt(aes, [b64("same"), b64("same")]);
    const [a, b] = enc.json.data!.ciphertext as string[];
    expect(a).not.toBe(b);
  });

  it("binds a non-convergent ciphertext to its context when one is given ([ours])", async () => {
    const enc = await encrypt(aes, b64("secret"), ctx);
    const ct = enc.json.data!.ciphertext as string;
    expect(unb64((await decrypt(aes, ct, ctx)).json.data!.plaintext)).toBe("secret");
    const wrong = await decrypt(aes, ct, b64("other"));
    expect(wrong.status).toBe(400);
    expect(wrong.json.code).toBe("INVALID_REQUEST");
    expect((await decrypt(aes, ct)).status).toBe(400);
  });

  it("rejects an empty array", async () => {
    expect((await encrypt(aes, [])).status).toBe(400);
  });
});

describe("convergent keys", () => {
  it("give the same ciphertext for the same plaintext and context", async () => {
    const first = await encrypt(conv, [b64("bob@example.com"), b64("bob@example.com")], ctx);
    const second = await encrypt(conv, b64("bob@example.com"), ctx);
    const [a, b] = first.json.data!.ciphertext as string[];
    expect(a).toBe(b);
    expect(second.json.data!.ciphertext).toBe(a);
  });

  it("give a different ciphertext for another context or plaintext", async () => {
    const a = (await encrypt(conv, b64("x"), ctx)).json.data!.ciphertext;
    const b = (await encrypt(conv, b64("x"), b64("users.phone"))).json.data!.ciphertext;
    const c = (await encrypt(conv, b64("y"), ctx)).json.data!.ciphertext;
    expect(a).not.toBe(b);
    expect(a).not.toBe(c);
  });

  it("require a context (400) on every crypto action", async () => {
    const res = await encrypt(conv, b64("x"));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("INVALID_REQUEST");
    const ct = (await encrypt(conv, b64("x"), ctx)).json.data!.ciphertext as string;
    expect((await decrypt(conv, ct)).status).toBe(400);
    expect((await call(emu, v2(conv, "re-encrypt"), { body: { ciphertext: ct } })).status).toBe(400);
    expect((await call(emu, v2(conv, "create-custom-key"), { body: {} })).status).toBe(400);
  });

  it("fail to decrypt with the wrong context (400) and succeed with the right one", async () => {
    const ct = (await encrypt(conv, b64("z"), ctx)).json.data!.ciphertext as string;
    expect((await decrypt(conv, ct, b64("users.phone"))).status).toBe(400);
    expect(unb64((await decrypt(conv, ct, ctx)).json.data!.plaintext)).toBe("z");
  });
});

describe("tampering and versions", () => {
  it("rejects any flipped byte with 400 INVALID_REQUEST", async () => {
    const ct = (await encrypt(aes, b64("tamper me"))).json.data!.ciphertext as string;
    const raw = Buffer.from(ct.slice("ncpkms:v1:".length), "base64");
    for (const index of [0, 12, 20, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[index] = copy[index]! ^ 0x01;
      const res = await decrypt(aes, `ncpkms:v1:${copy.toString("base64")}`);
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("INVALID_REQUEST");
    }
  });

  it("rejects a malformed ciphertext with 400 and names the array index", async () => {
    const good = (await encrypt(aes, b64("ok"))).json.data!.ciphertext as string;
    const res = await decrypt(aes, [good, "not-a-ciphertext"]);
    expect(res.status).toBe(400);
    expect(res.json.msg).toContain("ciphertext[1]");
    expect((await decrypt(aes, "ncpkms:v1:AAAA")).status).toBe(400);
  });

  it("answers 404 for a version the key does not have", async () => {
    const ct = (await encrypt(aes, b64("v"))).json.data!.ciphertext as string;
    const res = await decrypt(aes, ct.replace(/^ncpkms:v1:/, "ncpkms:v9:"));
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("NOT_FOUND");
  });

  it("does not decrypt another key's ciphertext", async () => {
    const other = (await emu.createKey({ keyName: "other" })).keyTag;
    const ct = (await encrypt(other, b64("mine"))).json.data!.ciphertext as string;
    expect((await decrypt(aes, ct)).status).toBe(400);
  });
});

describe("limits", () => {
  it("accepts exactly 32768 plaintext bytes in a request and rejects 32769 (whole request)", async () => {
    const ok = await encrypt(aes, [b64(Buffer.alloc(16384, 1)), b64(Buffer.alloc(16384, 2))]);
    expect(ok.status).toBe(200);
    const over = await encrypt(aes, [b64(Buffer.alloc(16384, 1)), b64(Buffer.alloc(16385, 2))]);
    expect(over.status).toBe(400);
    expect(over.json.code).toBe("INVALID_REQUEST");
    expect((await encrypt(aes, b64(Buffer.alloc(32769)))).status).toBe(400);
  });

  it("accepts a 50-byte context and rejects 51 bytes", async () => {
    expect((await encrypt(conv, b64("x"), b64(Buffer.alloc(50, 7)))).status).toBe(200);
    const res = await encrypt(conv, b64("x"), b64(Buffer.alloc(51, 7)));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("INVALID_REQUEST");
  });

  it("rejects bad base64 in plaintext and context", async () => {
    expect((await encrypt(aes, "not base64!")).status).toBe(400);
    expect((await encrypt(aes, "QUJD=")).status).toBe(400);
    expect((await encrypt(aes, b64("x"), "%%%")).status).toBe(400);
  });
});

describe("RSA2048", () => {
  it("encrypts up to 190 bytes, decrypts, and rejects 191", async () => {
    const enc = await encrypt(rsa, [b64(Buffer.alloc(190, 3)), b64("short")]);
    expect(enc.status).toBe(200);
    const dec = await decrypt(rsa, enc.json.data!.ciphertext as string[]);
    expect(Buffer.from((dec.json.data!.plaintext as string[])[0]!, "base64")).toEqual(Buffer.alloc(190, 3));
    expect((await encrypt(rsa, b64(Buffer.alloc(191)))).status).toBe(400);
  });

  it("binds the context (OAEP label)", async () => {
    const ct = (await encrypt(rsa, b64("r"), ctx)).json.data!.ciphertext as string;
    expect((await decrypt(rsa, ct, b64("nope"))).status).toBe(400);
    expect(unb64((await decrypt(rsa, ct, ctx)).json.data!.plaintext)).toBe("r");
  });
});

describe("create custom key", () => {
  it("returns a wrapped key that decrypts to the plain key, with key_version", async () => {
    for (const bits of [128, 256, 512]) {
      const res = await call(emu, v2(aes, "create-custom-key"), { body: { requestPlainKey: true, bits } });
      expect(res.status).toBe(200);
      const { ciphertext, plaintext, key_version } = res.json.data!;
      expect(key_version).toBe(1);
      expect(Buffer.from(String(plaintext), "base64")).toHaveLength(bits / 8);
      const dec = await decrypt(aes, String(ciphertext));
      expect(dec.json.data!.plaintext).toBe(plaintext);
    }
  });

  it("omits the plain key unless asked, defaults to 256 bits, and works on API 1.0 as createCustomKey", async () => {
    const res = await call(emu, v1(2, aes, "createCustomKey"), { body: {} });
    expect(res.status).toBe(200);
    expect(res.json.data).not.toHaveProperty("plaintext");
    const dec = await decrypt(aes, String(res.json.data!.ciphertext));
    expect(Buffer.from(String(dec.json.data!.plaintext), "base64")).toHaveLength(32);
  });

  it("rejects other bit sizes and works for RSA2048 keys", async () => {
    expect((await call(emu, v2(aes, "create-custom-key"), { body: { bits: 192 } })).status).toBe(400);
    expect((await call(emu, v2(rsa, "create-custom-key"), { body: { bits: 512 } })).status).toBe(200);
  });
});

describe("sign / verify", () => {
  for (const [name, key] of [
    ["RSA2048", () => rsa],
    ["ECDSA", () => ecdsa],
  ] as const) {
    it(`${name}: signs and verifies, and detects a changed message`, async () => {
      const data = b64("message to sign");
      const signed = await call(emu, v2(key(), "sign"), { body: { data } });
      expect(signed.status).toBe(200);
      const signature = signed.json.data!.signature as string;
      expect(signature).toMatch(/^ncpkms:v1:/);
      const ok = await call(emu, v2(key(), "verify"), { body: { data, signature } });
      expect(ok.json.data!.valid).toBe(true);
      const bad = await call(emu, v2(key(), "verify"), { body: { data: b64("other message"), signature } });
      expect(bad.json.data!.valid).toBe(false);
    });
  }

  it("accepts 8192 bytes of data and rejects 8193", async () => {
    expect((await call(emu, v2(ecdsa, "sign"), { body: { data: b64(Buffer.alloc(8192)) } })).status).toBe(
      200,
    );
    const res = await call(emu, v2(ecdsa, "sign"), { body: { data: b64(Buffer.alloc(8193)) } });
    expect(res.status).toBe(400);
    const verify = await call(emu, v2(ecdsa, "verify"), {
      body: { data: b64(Buffer.alloc(8193)), signature: "ncpkms:v1:AAAA" },
    });
    expect(verify.status).toBe(400);
  });

  it("answers 404 for a signature naming an unknown version", async () => {
    const res = await call(emu, v2(ecdsa, "verify"), {
      body: { data: b64("x"), signature: "ncpkms:v7:AAAA" },
    });
    expect(res.status).toBe(404);
  });
});

describe("key type rules (400)", () => {
  it("refuses encrypt/decrypt/re-encrypt/create-custom-key on ECDSA keys and sign/verify on AES keys", async () => {
    for (const action of ["encrypt", "decrypt", "re-encrypt", "create-custom-key"]) {
      const body =
        action === "encrypt"
          ? { plaintext: b64("x") }
          : action === "create-custom-key"
            ? {}
            : { ciphertext: "ncpkms:v1:AAAA" };
      const res = await call(emu, v2(ecdsa, action), { body });
      expect(res.status, action).toBe(400);
    }
    expect((await call(emu, v2(aes, "sign"), { body: { data: b64("x") } })).status).toBe(400);
    expect(
      (await call(emu, v2(aes, "verify"), { body: { data: b64("x"), signature: "ncpkms:v1:AAAA" } })).status,
    ).toBe(400);
  });
});

describe("key state", () => {
  it("answers 404 for an unknown key tag", async () => {
    const res = await encrypt("0".repeat(64), b64("x"));
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("NOT_FOUND");
  });

  it("answers 422 INVALID_STATUS for a disabled key, and works again once enabled", async () => {
    const tag = (await emu.createKey({ keyName: "toggle" })).keyTag;
    const ct = (await encrypt(tag, b64("t"))).json.data!.ciphertext as string;
    await emu.setKeyEnabled(tag, false);
    const res = await encrypt(tag, b64("t"));
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("INVALID_STATUS");
    expect((await decrypt(tag, ct)).status).toBe(422);
    await emu.setKeyEnabled(tag, true);
    expect((await decrypt(tag, ct)).status).toBe(200);
  });
});

describe("responses never echo secrets", () => {
  it("keeps plaintext and context out of error messages", async () => {
    const plaintext = b64("VERY-SECRET-PLAINTEXT");
    const res = await call(emu, v2(conv, "encrypt"), {
      body: { plaintext, context: b64(Buffer.alloc(60, 65)) },
    });
    expect(res.status).toBe(400);
    const text = JSON.stringify(res.json);
    expect(text).not.toContain(plaintext);
    expect(text).not.toContain("VERY-SECRET");
    expect(text).not.toContain(b64(Buffer.alloc(60, 65)));
  });
});
