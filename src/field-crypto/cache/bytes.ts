/** Bytes ⇄ one-byte strings: a cached value costs its length on the heap, and a hit returns a fresh copy. */

export function bytesToKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function keyToBytes(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, "latin1"));
}
