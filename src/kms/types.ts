/**
 * The narrow view of the KMS client that the Prisma extension and the
 * migration engine depend on. `src/kms/` implements it over HTTP (batched,
 * coalesced, rate-limited); nothing outside `src/kms/` speaks HTTP.
 *
 * Values are raw bytes; the client does the base64 encoding the wire needs.
 * `context` is the raw context bytes (at most 50), or `undefined` for none.
 */
export interface KmsCrypto {
  /** Encrypts every plaintext with the key's newest version; results in input order. */
  encryptMany(
    keyTag: string,
    context: Uint8Array | undefined,
    plaintexts: readonly Uint8Array[],
  ): Promise<string[]>;
  /** Decrypts `ncpkms:v<N>:` ciphertexts; results in input order. */
  decryptMany(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<Uint8Array[]>;
  /** Moves ciphertexts to the key's newest version without exposing plaintext. */
  reencryptMany(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<string[]>;
  /**
   * Like `decryptMany`/`reencryptMany`, but one bad item (tampered, unknown
   * version, wrong context) fails only itself: failing array requests are
   * split to isolate it.
   */
  decryptManySettled(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<Array<Settled<Uint8Array>>>;
  reencryptManySettled(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<Array<Settled<string>>>;
}

/** One item's outcome in a settled batch. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };
