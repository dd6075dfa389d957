/**
 * How a field value becomes the bytes the KMS encrypts, and back.
 *
 * The KMS sees an envelope, never the bare value:
 *
 *   byte 0      format version (1)
 *   byte 1      type: "S" String, "J" Json, "B" Bytes — so reads restore the type
 *   bytes 2..9  column binding: the first 8 bytes of SHA-256("prisma-ncp-kms/binding/" + binding)
 *   bytes 10..  payload: UTF-8 text, JSON text, or the raw bytes
 *
 * The binding (by default "Model.field") makes a ciphertext copied into
 * another column fail to decrypt there, for every key, convergent or not.
 * What the database column then holds: the `ncpkms:v<N>:...` string (String
 * and Json columns, the latter as a JSON string) or its UTF-8 bytes (Bytes).
 */
import { createHash } from "node:crypto";
import type { EncryptedFieldType } from "../schema/map.js";

const FORMAT_VERSION = 1;
const HEADER_BYTES = 10;
const TYPE_TAGS: Record<EncryptedFieldType, number> = { String: 0x53, Json: 0x4a, Bytes: 0x42 };

/** The prefix every KMS ciphertext starts with. */
export const CIPHERTEXT_PREFIX = "ncpkms:";
const ciphertextPattern = /^ncpkms:v(\d+):/;

/** 8-byte tag identifying a column; see the envelope layout above. */
export function bindingTag(binding: string): Uint8Array {
  return createHash("sha256").update(`prisma-ncp-kms/binding/${binding}`).digest().subarray(0, 8);
}

/**
 * The convergent-encryption context for a searchable column: 32 bytes (NCP
 * allows 50) derived from the binding, so equal plaintexts give equal
 * ciphertexts in that column and only there.
 */
export function searchableContext(binding: string): Uint8Array {
  return createHash("sha256").update(`prisma-ncp-kms/context/${binding}`).digest();
}

/** Why a decrypted envelope was refused; the caller wraps it in a typed error. */
export type EnvelopeProblem = "malformed" | "wrong-column" | "wrong-type";

/** Serialises a (non-null) field value into the envelope the KMS encrypts. */
export function encodeEnvelope(type: EncryptedFieldType, tag: Uint8Array, value: unknown): Uint8Array {
  const payload = encodePayload(type, value);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out[0] = FORMAT_VERSION;
  out[1] = TYPE_TAGS[type];
  out.set(tag, 2);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Parses a decrypted envelope back into the field's value, or names the problem. */
export function decodeEnvelope(
  type: EncryptedFieldType,
  tag: Uint8Array,
  bytes: Uint8Array,
): { ok: true; value: unknown } | { ok: false; problem: EnvelopeProblem } {
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT_VERSION) return { ok: false, problem: "malformed" };
  for (let i = 0; i < tag.length; i++) {
    if (bytes[2 + i] !== tag[i]) return { ok: false, problem: "wrong-column" };
  }
  if (bytes[1] !== TYPE_TAGS[type]) return { ok: false, problem: "wrong-type" };
  const payload = bytes.subarray(HEADER_BYTES);
  try {
    return { ok: true, value: decodePayload(type, payload) };
  } catch {
    return { ok: false, problem: "malformed" };
  }
}

function encodePayload(type: EncryptedFieldType, value: unknown): Uint8Array {
  switch (type) {
    case "String":
      if (typeof value !== "string") throw new TypeError("expected a string");
      return Buffer.from(value, "utf8");
    case "Json":
      return Buffer.from(JSON.stringify(value), "utf8");
    case "Bytes":
      if (!(value instanceof Uint8Array)) throw new TypeError("expected a Uint8Array");
      return value;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodePayload(type: EncryptedFieldType, payload: Uint8Array): unknown {
  switch (type) {
    case "String":
      return utf8.decode(payload);
    case "Json":
      return JSON.parse(utf8.decode(payload));
    case "Bytes":
      return new Uint8Array(payload);
  }
}

/**
 * The ciphertext a column value holds, or `null` when it holds something
 * else (legacy plaintext, not yet migrated). Json columns hold it as a JSON
 * string; Bytes columns as its UTF-8 bytes.
 */
export function ciphertextInColumn(type: EncryptedFieldType, stored: unknown): string | null {
  if (type === "Bytes") {
    if (!(stored instanceof Uint8Array) || stored.length < CIPHERTEXT_PREFIX.length) return null;
    const text = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString("latin1");
    return text.startsWith(CIPHERTEXT_PREFIX) ? text : null;
  }
  return typeof stored === "string" && stored.startsWith(CIPHERTEXT_PREFIX) ? stored : null;
}

/** The value to write into the column for a ciphertext. */
export function ciphertextForColumn(type: EncryptedFieldType, ciphertext: string): string | Uint8Array {
  return type === "Bytes" ? new Uint8Array(Buffer.from(ciphertext, "latin1")) : ciphertext;
}

/** The key version a ciphertext names (`ncpkms:v3:...` → 3), or `null`. */
export function ciphertextVersion(ciphertext: string): number | null {
  const match = ciphertextPattern.exec(ciphertext);
  return match ? Number(match[1]) : null;
}
