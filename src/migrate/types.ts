/**
 * Public types of the migration engine: its options, progress snapshots and
 * the summary it returns. Everything here is safe to log: ids, model and
 * field names, counts — never a value.
 */
import type { KmsCrypto } from "../kms/types.js";
import type { EncryptionMap } from "../schema/map.js";

/**
 * - `rotate`: move ciphertexts to their key's newest version (KMS `re-encrypt`; no plaintext leaves the KMS).
 * - `encrypt`: encrypt columns that still hold plaintext (rows already holding `ncpkms:` ciphertext are skipped).
 * - `decrypt`: write plaintext back (the way out of `@encrypted`).
 * - `status`: count rows by key version, plaintext and undecryptable rows; writes nothing.
 */
export type MigrateMode = "rotate" | "encrypt" | "decrypt" | "status";

/** A primary-key value: one entry per id field, in the model's id order. */
export type IdValue = string | number | bigint | boolean | Date;
export type RowKey = readonly IdValue[];

/** What the engine needs from the KMS client: the crypto, plus optional extras. */
export interface MigrateKms extends KmsCrypto {
  /** Running totals (the client's `counters()`); used for progress. Defaults to none. */
  counters?(): { requests: number; throttled: number };
  /** Rotates a key (needed for `rotateKeys: true`). */
  rotateKey?(keyTag: string): Promise<unknown>;
}

/** `shard: { index, count }`: this process migrates the index-th of `count` ranges of every table. */
export interface ShardSpec {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
}

/** Where shard boundaries are agreed between processes; see `createFilePlanStore` / `createRedisPlanStore`. */
export interface PlanStore {
  /** Returns the value stored under `key`, storing `compute()`'s result first if there is none. */
  getOrSet(key: string, compute: () => Promise<string>): Promise<string>;
}

/** Optional logger for plain lines (progress when not on a TTY, checkpoint paths, warnings). */
export interface MigrateLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Options of {@link runMigration}. */
export interface MigrateOptions {
  /**
   * The app's generated, UNEXTENDED PrismaClient (rows must be read as stored).
   * Pass this or `adapter`, not both.
   */
  prisma?: unknown;
  /**
   * A Prisma driver adapter factory, instead of `prisma`: the engine connects
   * it, reads and writes through it with SQL built from the encryption map's
   * database names, and disposes the connection at the end. Saves loading the
   * generated client and its query compiler (~120 MB of memory). Needs a map
   * from a current `prisma generate` and Int, BigInt or String ids; pass the
   * client as `prisma` otherwise. Unlike Prisma's `updateMany`, its writes do
   * not bump `@updatedAt` columns.
   *
   * @example
   * ```ts
   * import { PrismaPg } from "@prisma/adapter-pg";
   * await runMigration({
   *   adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }),
   *   map: encryptionMap,
   *   kms,
   *   keys: { default: defaultKeyTag, searchable: searchableKeyTag },
   *   mode: "rotate",
   * });
   * ```
   */
  adapter?: unknown;
  /** The generated encryption map. */
  map: EncryptionMap;
  /** The KMS client (`createKmsClient(...)`). */
  kms: MigrateKms;
  /** Key tag per key name (`field.key`), as given to the extension. */
  keys: Readonly<Record<string, string>>;
  mode: MigrateMode;
  /** Only these models. Defaults to every model with an encrypted field. */
  models?: readonly string[];
  /** Only these fields, as `Model.field` (or a bare field name, for every model that has it). Defaults to all. */
  fields?: readonly string[];
  /** Scan and count, but call no crypto action, write no row and no checkpoint. Defaults to `false`. */
  dryRun?: boolean;
  /** Rows per page. Defaults to 500. */
  batchSize?: number;
  /** Pages in flight (KMS call + write) at once. Defaults to 2. */
  concurrency?: number;
  /** Continue from the checkpoint an interrupted run left. Defaults to `false`. */
  resume?: boolean;
  /** Ignore (and replace) such a checkpoint. Defaults to `false`. */
  restart?: boolean;
  /** Directory of the checkpoint files (and shard plans). Defaults to `.prisma-ncp-kms`. */
  stateDir?: string;
  /** Rotate every key involved before migrating (`rotate` mode). Defaults to `false`. */
  rotateKeys?: boolean;
  /** Migrate only one range of each table. Defaults to the whole table. */
  shard?: ShardSpec;
  /**
   * Names a sharded run: processes with the same `runId`, mode and shard
   * count share one set of boundaries. Use a new one per run so a later run
   * plans on fresh data. Defaults to `"default"`.
   */
  runId?: string;
  /** Where shard boundaries are shared. Defaults to a file in `stateDir`. */
  planStore?: PlanStore;
  /** Called after every page and at each model's start and end. Defaults to none. */
  onProgress?: (progress: MigrateProgress) => void;
  /** Plain log lines. Defaults to none. */
  logger?: MigrateLogger;
  /** Stops reading new pages; pages in flight finish and are checkpointed. Defaults to none. */
  signal?: AbortSignal;
}

/** One value that could not be migrated: where, and why (an error code, never the value). */
export interface MigrateFailure {
  readonly model: string;
  readonly field: string;
  /** The row's primary key, id field → value. */
  readonly id: Readonly<Record<string, IdValue>>;
  /** A stable code: the KMS error code, `DUPLICATE`, `DECRYPTION_WRONG_COLUMN`, `KMS_OUTPUT_INVALID`, `WRITE_FAILED`, ... */
  readonly code: string;
  /** For `DUPLICATE`: the row that already holds the same value (same plaintext) in a unique column. */
  readonly conflictsWith?: Readonly<Record<string, IdValue>>;
}

/** Per-field counts of `status` mode. */
export interface FieldStatus {
  readonly model: string;
  readonly field: string;
  readonly rows: number;
  /** Null (empty) values. */
  readonly nulls: number;
  /** Values not holding `ncpkms:` ciphertext. */
  readonly plaintext: number;
  /** Ciphertexts per key version (`"3"` → count). */
  readonly byVersion: Readonly<Record<string, number>>;
  /** Ciphertexts the KMS refused to decrypt, or whose envelope does not belong to this column. */
  readonly undecryptable: number;
  /** The key's newest version, when it could be determined. */
  readonly newestVersion: number | null;
}

/** Counters shared by progress snapshots and the summary. Values = (row, field) pairs. */
export interface MigrateCounts {
  /** Rows read. */
  rowsScanned: number;
  /** Values written with their new form. */
  migrated: number;
  /** Values that needed nothing (null, already current, or not of the kind this mode changes). */
  skipped: number;
  /** Values the app changed between our read and our write: left as the app wrote them. */
  conflicted: number;
  /** Values that could not be migrated (see `failures`). */
  failed: number;
}

/** A progress snapshot. */
export interface MigrateProgress extends MigrateCounts {
  readonly mode: MigrateMode;
  /** The model being worked on. */
  readonly model: string;
  /** `searchable` fields are migrated before the `other` ones. */
  readonly pass: "searchable" | "other" | "all";
  /** Estimated rows to scan in total (all passes), from `count()` at the start. */
  readonly rowsTotal: number;
  /** Rows scanned so far, all passes, including those a resumed run skipped over. */
  readonly rowsDone: number;
  readonly elapsedMs: number;
  /** KMS HTTP requests and 429s since the run started (when the client reports them). */
  readonly kmsRequests: number;
  readonly kmsThrottled: number;
}

/** What {@link runMigration} returns. */
export interface MigrateSummary extends MigrateCounts {
  readonly mode: MigrateMode;
  readonly dryRun: boolean;
  readonly shard: ShardSpec | null;
  readonly durationMs: number;
  readonly kmsRequests: number;
  readonly kmsThrottled: number;
  /** Newest version per key name, as probed. */
  readonly keyVersions: Readonly<Record<string, number>>;
  /** Up to 1,000 failures (`failed` has the full count). */
  readonly failures: readonly MigrateFailure[];
  /** `status` mode only. */
  readonly status: readonly FieldStatus[];
  /** Checkpoint files written by this run (deleted again when a model finished cleanly). */
  readonly checkpoints: readonly string[];
  /** `true` when the run was stopped by its signal before finishing. */
  readonly interrupted: boolean;
}
