import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomFillSync,
  timingSafeEqual,
} from "node:crypto";
import { invalidRequest } from "./errors.js";

/**
 * AES-256-GCM with a 12-byte IV and 16-byte tag; payload layout
 * `iv ‖ tag ‖ ciphertext`.
 *
 * Non-convergent: random IV; a context, when given, is the GCM AAD, so a
 * wrong context fails authentication ([ours]: NCP only documents context
 * for convergent keys).
 *
 * Convergent: a synthetic IV (SIV-style) — the first 12 bytes of
 * HMAC-SHA256(macKey_ctx, plaintext) — and an encryption subkey, both
 * derived from the version key and the context with HKDF. Same plaintext and
 * context give the same ciphertext; a different context gives another key, so
 * decryption fails. Decryption also re-derives the IV and compares, which
 * catches any mismatch GCM alone would not.
 */
const IV = 12;
const TAG = 16;

interface ContextKeys {
  encKey: Buffer;
  macKey: Buffer;
}

// Derived subkeys per (version key, context): HKDF is cheap but not free, and
// a convergent column usually uses a handful of contexts.
const subkeyCache = new WeakMap<Buffer, Map<string, ContextKeys>>();
const SUBKEY_CACHE_LIMIT = 1024;

function contextKeys(key: Buffer, macKey: Buffer, context: Buffer): ContextKeys {
  let perKey = subkeyCache.get(key);
  if (perKey === undefined) {
    perKey = new Map();
    subkeyCache.set(key, perKey);
  }
  const id = context.toString("base64");
  const cached = perKey.get(id);
  if (cached !== undefined) return cached;
  const info = (label: string) => Buffer.concat([Buffer.from(label), context]);
  const keys = {
    encKey: Buffer.from(
      hkdfSync("sha256", key, Buffer.alloc(0), info("ncpkms-emulator/convergent-enc/"), 32),
    ),
    macKey: Buffer.from(
      hkdfSync("sha256", macKey, Buffer.alloc(0), info("ncpkms-emulator/convergent-iv/"), 32),
    ),
  };
  if (perKey.size >= SUBKEY_CACHE_LIMIT) perKey.clear();
  perKey.set(id, keys);
  return keys;
}

// Random IVs come from a pool refilled 4 KiB at a time: one CSPRNG call per
// ~340 IVs instead of one per value.
const ivPool = Buffer.alloc(IV * 341);
let ivOffset = ivPool.length;
function randomIv(): Buffer {
  if (ivOffset + IV > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV));
  ivOffset += IV;
  return iv;
}

function seal(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer | undefined): Buffer {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  if (aad !== undefined) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, payload: Buffer, aad: Buffer | undefined, what: string): Buffer {
  if (payload.length < IV + TAG) throw invalidRequest(`${what} is too short`);
  const decipher = createDecipheriv("aes-256-gcm", key, payload.subarray(0, IV));
  decipher.setAuthTag(payload.subarray(IV, IV + TAG));
  if (aad !== undefined) decipher.setAAD(aad);
  try {
    return Buffer.concat([decipher.update(payload.subarray(IV + TAG)), decipher.final()]);
  } catch {
    throw invalidRequest(`${what} failed authentication (tampered, wrong key or wrong context)`);
  }
}

export function aesEncrypt(
  material: { key: Buffer; macKey: Buffer },
  plaintext: Buffer,
  context: Buffer | undefined,
  convergent: boolean,
): Buffer {
  if (!convergent) return seal(material.key, randomIv(), plaintext, context);
  const keys = contextKeys(material.key, material.macKey, context!);
  const iv = createHmac("sha256", keys.macKey).update(plaintext).digest().subarray(0, IV);
  return seal(keys.encKey, iv, plaintext, context);
}

export function aesDecrypt(
  material: { key: Buffer; macKey: Buffer },
  payload: Buffer,
  context: Buffer | undefined,
  convergent: boolean,
  what: string,
): Buffer {
  if (!convergent) return open(material.key, payload, context, what);
  const keys = contextKeys(material.key, material.macKey, context!);
  const plaintext = open(keys.encKey, payload, context, what);
  const iv = createHmac("sha256", keys.macKey).update(plaintext).digest().subarray(0, IV);
  if (!timingSafeEqual(iv, payload.subarray(0, IV))) {
    throw invalidRequest(`${what} failed authentication (tampered, wrong key or wrong context)`);
  }
  return plaintext;
}
