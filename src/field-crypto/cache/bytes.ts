/** Bytes ⇄ one-byte strings: a cached value costs its length on the heap, and a hit returns a fresh copy. */

export function bytesToKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** A plain `Uint8Array` of its own (never a view of Buffer's shared pool), written in one pass. */
export function keyToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(text, "latin1");
  return out;
}
