import { randomBytes } from "node:crypto";
import { aesDecrypt, aesEncrypt } from "./aes-cipher.js";
import { formatVersioned, parseVersioned } from "./ciphertext-format.js";
import { invalidRequest, notFound } from "./errors.js";
import type { KeyRecord, KeyVersion } from "./keystore.js";
import { parseBody, schemas } from "./request-schemas.js";
import { RSA_MAX_PLAINTEXT, rsaDecrypt, rsaEncrypt } from "./rsa-cipher.js";
import { signData, verifyData } from "./signature-ops.js";

/** Limits from CONTRACT.md, in decoded bytes. */
export const ENCRYPT_LIMIT_BYTES = 32 * 1024;
export const SIGN_LIMIT_BYTES = 8 * 1024;
export const CONTEXT_LIMIT_BYTES = 50;

/** What a crypto action returns: the response `data` and how many values it processed. */
export interface ActionResult {
  data: Record<string, unknown>;
  values: number;
}

const ENCRYPTING_TYPES = new Set(["AES256", "RSA2048"]);
const SIGNING_TYPES = new Set(["RSA2048", "ECDSA"]);

function requireType(key: KeyRecord, allowed: Set<string>, action: string): void {
  if (!allowed.has(key.keyType)) {
    throw invalidRequest(
      `${action} is not available for ${key.keyType} keys (use ${[...allowed].join(" or ")})`,
    );
  }
}

function decodeContext(key: KeyRecord, context: string | undefined): Buffer | undefined {
  if (context === undefined) {
    if (key.isConvergent) throw invalidRequest("context is required for a convergent key");
    return undefined;
  }
  const bytes = Buffer.from(context, "base64");
  if (bytes.length > CONTEXT_LIMIT_BYTES)
    throw invalidRequest(`context is over ${CONTEXT_LIMIT_BYTES} bytes`);
  return bytes;
}

function encryptOne(key: KeyRecord, plaintext: Buffer, context: Buffer | undefined): string {
  const newest = key.versions.get(key.newest)!;
  const material = newest.material;
  const payload =
    material.kind === "aes"
      ? aesEncrypt(material, plaintext, context, key.isConvergent)
      : rsaEncrypt(material.publicKey, plaintext, context);
  return formatVersioned(newest.version, payload);
}

function findVersion(key: KeyRecord, version: number, what: string): KeyVersion {
  const found = key.versions.get(version);
  if (found === undefined) throw notFound(`${what} names a key version this key does not have`);
  return found;
}

function decryptOne(key: KeyRecord, ciphertext: string, context: Buffer | undefined, what: string): Buffer {
  const { version, payload } = parseVersioned(ciphertext, what);
  const material = findVersion(key, version, what).material;
  return material.kind === "aes"
    ? aesDecrypt(material, payload, context, key.isConvergent, what)
    : rsaDecrypt(material.privateKey, payload, context, what);
}

/** Maps a string or array field item by item, keeping its shape and order. */
function mapShape<T>(
  value: string | string[],
  field: string,
  fn: (item: string, what: string) => T,
): T | T[] {
  return typeof value === "string" ? fn(value, field) : value.map((item, i) => fn(item, `${field}[${i}]`));
}

function count(value: string | string[]): number {
  return typeof value === "string" ? 1 : value.length;
}

function encrypt(key: KeyRecord, body: unknown): ActionResult {
  requireType(key, ENCRYPTING_TYPES, "encrypt");
  const { plaintext, context } = parseBody(schemas.encrypt, body);
  const ctx = decodeContext(key, context);
  const items = typeof plaintext === "string" ? [plaintext] : plaintext;
  const decoded = items.map((item) => Buffer.from(item, "base64"));
  const total = decoded.reduce((sum, bytes) => sum + bytes.length, 0);
  if (total > ENCRYPT_LIMIT_BYTES) {
    throw invalidRequest(`plaintext is over ${ENCRYPT_LIMIT_BYTES} bytes for the whole request`);
  }
  if (key.keyType === "RSA2048" && decoded.some((bytes) => bytes.length > RSA_MAX_PLAINTEXT)) {
    throw invalidRequest(`an RSA2048 key encrypts at most ${RSA_MAX_PLAINTEXT} bytes per plaintext`);
  }
  const ciphertexts = decoded.map((bytes) => encryptOne(key, bytes, ctx));
  return {
    data: { ciphertext: typeof plaintext === "string" ? ciphertexts[0]! : ciphertexts },
    values: items.length,
  };
}

function decrypt(key: KeyRecord, body: unknown): ActionResult {
  requireType(key, ENCRYPTING_TYPES, "decrypt");
  const { ciphertext, context } = parseBody(schemas.decrypt, body);
  const ctx = decodeContext(key, context);
  const plaintext = mapShape(ciphertext, "ciphertext", (item, what) =>
    decryptOne(key, item, ctx, what).toString("base64"),
  );
  return { data: { plaintext }, values: count(ciphertext) };
}

function reEncrypt(key: KeyRecord, body: unknown): ActionResult {
  requireType(key, ENCRYPTING_TYPES, "re-encrypt");
  const { ciphertext, context } = parseBody(schemas["re-encrypt"], body);
  const ctx = decodeContext(key, context);
  const newCiphertext = mapShape(ciphertext, "ciphertext", (item, what) =>
    encryptOne(key, decryptOne(key, item, ctx, what), ctx),
  );
  return { data: { newCiphertext }, values: count(ciphertext) };
}

function createCustomKey(key: KeyRecord, body: unknown): ActionResult {
  requireType(key, ENCRYPTING_TYPES, "create-custom-key");
  const { requestPlainKey = false, bits = 256, context } = parseBody(schemas["create-custom-key"], body);
  const ctx = decodeContext(key, context);
  const plain = randomBytes(bits / 8);
  const data: Record<string, unknown> = { ciphertext: encryptOne(key, plain, ctx), key_version: key.newest };
  if (requestPlainKey) data.plaintext = plain.toString("base64");
  return { data, values: 1 };
}

async function sign(key: KeyRecord, body: unknown): Promise<ActionResult> {
  requireType(key, SIGNING_TYPES, "sign");
  const { data } = parseBody(schemas.sign, body);
  const bytes = Buffer.from(data, "base64");
  if (bytes.length > SIGN_LIMIT_BYTES) throw invalidRequest(`data is over ${SIGN_LIMIT_BYTES} bytes`);
  const newest = key.versions.get(key.newest)!;
  if (newest.material.kind === "aes") throw invalidRequest("sign needs an asymmetric key");
  const signature = await signData(newest.material.privateKey, bytes);
  return { data: { signature: formatVersioned(newest.version, signature) }, values: 1 };
}

async function verify(key: KeyRecord, body: unknown): Promise<ActionResult> {
  requireType(key, SIGNING_TYPES, "verify");
  const { data, signature } = parseBody(schemas.verify, body);
  const bytes = Buffer.from(data, "base64");
  if (bytes.length > SIGN_LIMIT_BYTES) throw invalidRequest(`data is over ${SIGN_LIMIT_BYTES} bytes`);
  const { version, payload } = parseVersioned(signature, "signature");
  const material = findVersion(key, version, "signature").material;
  if (material.kind === "aes") throw invalidRequest("verify needs an asymmetric key");
  return { data: { valid: await verifyData(material.publicKey, bytes, payload) }, values: 1 };
}

const handlers: Record<string, (key: KeyRecord, body: unknown) => ActionResult | Promise<ActionResult>> = {
  encrypt,
  decrypt,
  "re-encrypt": reEncrypt,
  "create-custom-key": createCustomKey,
  sign,
  verify,
};

/** Runs one crypto action on an enabled key; `action` uses the API 2.0 names. */
export async function runCryptoAction(action: string, key: KeyRecord, body: unknown): Promise<ActionResult> {
  const handler = handlers[action];
  if (handler === undefined) throw notFound("unknown action");
  return handler(key, body);
}
