/**
 * The public shape of the KMS client: its operations and their inputs.
 * `createKmsClient` (client.ts) builds one.
 */
import type { KmsCounters, KmsEvent } from "./events.js";
import type { KeyInfo } from "./schemas.js";
import type { KmsCrypto } from "./types.js";

/** Optional context for single-value operations (raw bytes or a UTF-8 string, at most 50 bytes). */
export interface ContextOption {
  context?: Uint8Array | string | undefined;
}

/** Key types NCP KMS offers. */
export type KmsKeyType = "AES256" | "RSA2048" | "ECDSA";

/** Narrows a string to {@link KmsKeyType}. */
export function isKmsKeyType(value: string): value is KmsKeyType {
  return value === "AES256" || value === "RSA2048" || value === "ECDSA";
}

/** Input of {@link KmsClient.createKey} (API 2.0 "Create Key"). */
export interface CreateKeyInput {
  /** 3–15 chars, starts with a letter; letters, digits, `-`, `_`. */
  keyName: string;
  /** Defaults to `"AES256"`. */
  keyType?: KmsKeyType;
  /** Convergent encryption (AES256 only). Defaults to `false`. */
  isConvergent?: boolean;
  /** Defaults to `false`. */
  isAutoRotation?: boolean;
  /** Days between automatic rotations (1–730), only with auto-rotation. Defaults to the server's (90). */
  rotationPeriod?: number;
  /** Defaults to `"BASIC"`. */
  protectionType?: "BASIC" | "COMMON_HSM";
  /** Defaults to none. */
  memo?: string;
}

/** TTLs for token issuing: hours 1–17520, or `"UL"` for unlimited. */
export interface TokenHours {
  /** Defaults to the server's (72). */
  accessTokenHours?: number | "UL";
  /** Defaults to the server's (2160). */
  refreshTokenHours?: number | "UL";
}

/** The NCP KMS client. Implements {@link KmsCrypto} for the Prisma extension and the migration engine. */
export interface KmsClient extends KmsCrypto {
  /** Encrypts one value (coalesced with concurrent calls). */
  encrypt(keyTag: string, plaintext: Uint8Array | string, options?: ContextOption): Promise<string>;
  /** Decrypts one ciphertext. */
  decrypt(keyTag: string, ciphertext: string, options?: ContextOption): Promise<Uint8Array>;
  /** Re-encrypts one ciphertext under the key's newest version. */
  reencrypt(keyTag: string, ciphertext: string, options?: ContextOption): Promise<string>;
  /** Creates a data key wrapped by the master key (`requestPlainKey` also returns it in the clear). */
  createCustomKey(
    keyTag: string,
    options?: ContextOption & { requestPlainKey?: boolean; bits?: 128 | 256 | 512 },
  ): Promise<{
    ciphertext: string;
    plaintext: Uint8Array | undefined;
    keyVersion: number | string | undefined;
  }>;
  /** Signs up to 8 KB of data (RSA2048 or ECDSA keys). */
  sign(keyTag: string, data: Uint8Array | string): Promise<string>;
  /** Verifies a signature made by {@link KmsClient.sign}. */
  verify(keyTag: string, data: Uint8Array | string, signature: string): Promise<boolean>;
  /** Issues a token pair with account auth; under token auth the client starts using it. */
  createTokenSet(keyTag: string, hours?: TokenHours): Promise<{ accessToken: string; refreshToken: string }>;
  /** Exchanges a refresh token for a new access token. */
  createAccessToken(
    keyTag: string,
    refreshToken: string,
    hours?: Pick<TokenHours, "accessTokenHours">,
  ): Promise<string>;
  /** Creates a key (account auth). */
  createKey(input: CreateKeyInput): Promise<KeyInfo>;
  /** Rotates a key: new version for encryption, old ones keep decrypting. */
  rotateKey(
    keyTag: string,
  ): Promise<{ keyTag: string; version: number; rotatedDate?: number | string | undefined }>;
  /** Lists keys (served by the emulator; [ours] in CONTRACT.md). */
  listKeys(): Promise<KeyInfo[]>;
  /** One key's details (served by the emulator; [ours] in CONTRACT.md). */
  getKey(keyTag: string): Promise<KeyInfo>;
  /** A snapshot of the running totals. */
  counters(): KmsCounters;
  /** Subscribes to events (a throwing listener never affects a call); returns the unsubscribe function. */
  on(listener: (event: KmsEvent) => void): () => void;
  /** Closes the keep-alive connections (when the client created them). */
  close(): Promise<void>;
}
