/** Byte and base64 helpers for the wire format (pure). */

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Decodes base64 into a plain `Uint8Array` (a copy: never a view of Buffer's shared pool). */
export function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(Buffer.from(b64, "base64"));
}

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === "string" ? new TextEncoder().encode(value) : value;
}

const ciphertextShape = /^ncpkms:v[1-9][0-9]*:[A-Za-z0-9+/]*={0,2}$/;

/** Whether `value` looks like an `ncpkms:v<N>:<base64>` ciphertext. */
export function isCiphertextShaped(value: string): boolean {
  return ciphertextShape.test(value);
}

/** Decoded size of a ciphertext's payload: an upper bound on its plaintext's size. */
export function ciphertextPayloadBytes(value: string): number {
  const b64 = value.slice(value.indexOf(":", 7) + 1);
  const padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}
