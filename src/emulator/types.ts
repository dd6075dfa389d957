/**
 * Public types of the local NCP KMS emulator. The behaviour they describe is
 * specified in `CONTRACT.md`; `README.md` beside this file lists the choices
 * marked [ours].
 */
import type { NcpResponseCode } from "../errors.js";

/** Key types NCP KMS offers. */
export type KeyType = "AES256" | "RSA2048" | "ECDSA";

/** Key status as the emulator reports it ([ours]: NCP's console wording differs). */
export type KeyStatus = "ENABLED" | "DISABLED";

/** The one account the emulator knows: signature v1/v2 credentials. */
export interface EmulatorCredentials {
  accessKey: string;
  secretKey: string;
  /** API Gateway API key, needed by signature v1 (`/keys/v1/...`). */
  apiGatewayKey: string;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /** TCP port. Defaults to `0` (an ephemeral port; read it from `url`). */
  port?: number;
  /**
   * Directory that holds the keystore, token signing key and credentials
   * (one JSON file, written atomically). Defaults to none: everything is
   * in memory and lost on `close()`.
   */
  dataDir?: string;
  /** API 1.0 quota, transactions per second for the whole account. Defaults to `200`. */
  tpsV1?: number;
  /** API 2.0 quota, transactions per second per key. Defaults to `300`. */
  tpsV2?: number;
  /** Latency added to every KMS request (not admin routes), in ms. Defaults to `0`. */
  latencyMs?: number;
  /** Serve the admin routes under `/__emulator/`. Defaults to `true`. */
  admin?: boolean;
  /** Largest accepted distance between a signature timestamp and server time, in ms. Defaults to 5 minutes. */
  clockSkewMs?: number;
  /** Fixed credentials. Defaults to random ones (persisted when `dataDir` is set). */
  credentials?: Partial<EmulatorCredentials>;
  /**
   * Wall clock in epoch ms, used for signature timestamps and token
   * `iat`/`exp`. Defaults to `Date.now`. Quotas and latency use a monotonic
   * clock instead, so freezing this one does not stall them.
   */
  now?: () => number;
  /** Largest accepted request body in bytes. Defaults to 256 KiB. */
  maxBodyBytes?: number;
}

/** What the emulator says about one key. */
export interface KeyInfo {
  keyId: string;
  keyTag: string;
  keyName: string;
  keyType: KeyType;
  isConvergent: boolean;
  /** The newest version (the one `encrypt` uses). */
  version: number;
  status: KeyStatus;
}

/** Options of {@link RunningEmulator.createKey}. */
export interface CreateKeyOptions {
  keyName: string;
  /** Defaults to `AES256`. */
  keyType?: KeyType;
  /** Defaults to `false`; only AES256 keys can be convergent. */
  isConvergent?: boolean;
}

/** Counters since start or the last `resetStats()`. */
export interface EmulatorStats {
  /** KMS requests received (admin routes excluded). */
  requests: number;
  /** Requests per action (`encrypt`, `decrypt`, `re-encrypt`, `create-custom-key`, `sign`, ...). */
  byAction: Record<string, number>;
  /** Requests per key tag. */
  byKey: Record<string, number>;
  /** Values processed by successful crypto actions (array items; a single string counts 1). */
  values: number;
  /** Values per crypto action (`encrypt`, `decrypt`, `re-encrypt`, ...). */
  valuesByAction: Record<string, number>;
  /** 429 responses sent for the quota (injected faults excluded). */
  throttled: number;
  /** Error responses by HTTP status (`"400"`, `"429"`, ...), injected faults included. */
  errors: Record<string, number>;
}

/** Options of {@link EmulatorFaults.failNext}. */
export interface FailNextOptions {
  status: number;
  /** Response `code`. Defaults to the code the contract pairs with `status`. */
  code?: NcpResponseCode;
  /** Sends `Retry-After` with this many seconds. Defaults to none. */
  retryAfterSeconds?: number;
  /** Only requests for this action (e.g. `encrypt`) are failed. Defaults to any action. */
  action?: string;
}

/** Options of {@link EmulatorFaults.failFraction}. */
export interface FailFractionOptions {
  status: number;
  /** Response `code`. Defaults to the code the contract pairs with `status`. */
  code?: NcpResponseCode;
}

/** Fault injection, applied to KMS requests only (never to admin routes). */
export interface EmulatorFaults {
  /** The next `count` matching requests fail with the given status. */
  failNext(count: number, opts: FailNextOptions): void;
  /** Fails this fraction (0–1) of requests, chosen by a seeded generator (same sequence each time it is set). */
  failFraction(fraction: number, opts: FailFractionOptions): void;
  /** The next `count` requests get their socket destroyed without a response. */
  dropNext(count: number): void;
  /** Latency added to each request, in ms. */
  setLatency(ms: number): void;
  /** Removes every fault and sets latency back to 0. */
  clear(): void;
}

/** A running emulator; see {@link startEmulator}. */
export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  url: string;
  credentials: EmulatorCredentials;
  createKey(opts: CreateKeyOptions): Promise<KeyInfo>;
  /** Every key, in creation order. */
  listKeys(): KeyInfo[];
  rotateKey(keyTag: string): Promise<{ keyTag: string; version: number }>;
  setKeyEnabled(keyTag: string, enabled: boolean): Promise<void>;
  /** Gives the key a new token creator: every token issued so far stops working. */
  replaceTokenCreator(keyTag: string): Promise<void>;
  /** Disables the key's token creator: its tokens stop working and `token-set` is refused. */
  disableTokenCreator(keyTag: string): Promise<void>;
  /** Issues a token pair with TTLs in seconds (tests). Defaults to 72 h and 2160 h. */
  issueTokens(
    keyTag: string,
    opts?: { accessTtlSeconds?: number; refreshTtlSeconds?: number },
  ): Promise<{ accessToken: string; refreshToken: string }>;
  /** Sets the key's IP ACL for token auth; entries are addresses or CIDR blocks. */
  setIpAcl(keyTag: string, acl: { enabled: boolean; allow: string[] }): Promise<void>;
  stats(): EmulatorStats;
  resetStats(): void;
  faults: EmulatorFaults;
  setQuota(opts: { tpsV1?: number; tpsV2?: number }): void;
  close(): Promise<void>;
}
