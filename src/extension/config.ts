/**
 * `ncpKmsEncryption` options, checked once with zod at construction. Every
 * problem names the setting (and for missing keys, each `Model.field` that
 * needs one); values are never echoed, since a key map or a KMS client may
 * hold secrets.
 */
import { z } from "zod";
import { type CacheOption, cacheForExtension, cacheOptionSchema } from "../field-crypto/cache/wiring.js";
import type { KmsCrypto } from "../kms/types.js";
import type { EncryptionMap } from "../schema/map.js";
import { EncryptionConfigError } from "./errors.js";
import type { EncryptionEvent } from "./events.js";

/** Options of {@link ncpKmsEncryption}. */
export interface NcpKmsEncryptionOptions {
  /** The encryption map the generator emits (`encryptionMap` from `<output>/encryption`). */
  map: EncryptionMap;
  /**
   * The KMS client, e.g. `createKmsClient({...})`. Share one across Prisma
   * clients so their concurrent calls coalesce into array requests.
   */
  kms: KmsCrypto;
  /**
   * Key name → NCP KMS key tag. Every `key` a marked field uses must be here:
   * `default` for `/// @encrypted`, `searchable` for `/// @encrypted(searchable)`
   * (a convergent key), and any name given with `key: "..."`.
   */
  keys: Record<string, string>;
  /**
   * What a read does with a value it cannot decrypt: `"throw"` a typed error
   * naming `Model.field` and the row id, or return an `UndecryptableValue`
   * marker in its place (for admin tools). Defaults to `"throw"`.
   */
  onDecryptError?: "throw" | "marker";
  /**
   * Whether a column that holds plaintext (written before encryption was
   * turned on, not yet migrated) reads as it is. When `false`, such a read
   * throws `PlaintextNotAllowedError` (or returns the marker), so a value
   * planted by anyone with write access to the table, or a bad KMS reply, is
   * never returned as genuine data. Turn it on only for the `migrate encrypt`
   * window, and off after; each plaintext read is then reported to `onEvent`
   * (`type: "plaintext-read"`). Defaults to `false`.
   */
  allowPlaintextReads?: boolean;
  /**
   * Receives events for metrics (never values): `plaintext-read` with the
   * model, field, operation and count of legacy plaintext cells a query
   * returned as they are. Errors thrown by the listener are ignored.
   * Defaults to none.
   */
  onEvent?: (event: EncryptionEvent) => void;
  /**
   * The in-process cache of KMS answers: a value decrypted (or written) within
   * `ttlMs` is read without a KMS call, a searchable value encrypted within it
   * is looked up without one, and identical values in flight are sent once.
   * Hits go through the same column-binding and type checks. `false` turns it
   * off; pass `createKmsCache(...)` to share one or read its `stats()`.
   * Defaults to `{ ttlMs: 60000, maxBytes: 16777216, maxEntries: 100000 }`.
   */
  cache?: CacheOption;
}

export interface ResolvedOptions {
  readonly map: EncryptionMap;
  readonly kms: KmsCrypto;
  readonly keys: Readonly<Record<string, string>>;
  readonly onDecryptError: "throw" | "marker";
  readonly allowPlaintextReads: boolean;
  readonly onEvent: ((event: EncryptionEvent) => void) | undefined;
}

const fieldSchema = z.object({
  name: z.string(),
  type: z.enum(["String", "Json", "Bytes"]),
  searchable: z.boolean(),
  key: z.string().min(1),
});
const modelSchema = z.object({
  name: z.string(),
  idFields: z.array(z.string()),
  compoundSelectors: z.record(z.string(), z.array(z.string())),
  encrypted: z.record(z.string(), fieldSchema),
  relations: z.record(z.string(), z.object({ name: z.string(), model: z.string(), isList: z.boolean() })),
  scalars: z.array(z.string()),
  reachesEncrypted: z.boolean(),
});
const isFunction = (v: unknown) => typeof v === "function";
const optionsSchema = z.object({
  map: z.object({ version: z.literal(1), models: z.record(z.string(), modelSchema) }),
  kms: z.object(
    { encryptMany: z.custom(isFunction), decryptManySettled: z.custom(isFunction) },
    {
      error: "must be a KmsCrypto (e.g. createKmsClient(...))",
    },
  ),
  keys: z.record(z.string(), z.string().min(1, "must be a non-empty key tag")),
  onDecryptError: z.enum(["throw", "marker"]).default("throw"),
  allowPlaintextReads: z.boolean().default(false),
  onEvent: z.custom(isFunction).optional(),
  cache: cacheOptionSchema.optional(),
});

/** Validates the options; throws `EncryptionConfigError` naming every wrong setting. */
export function resolveOptions(options: NcpKmsEncryptionOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new EncryptionConfigError(
      parsed.error.issues.map((issue) => ({
        setting: issue.path.map(String).join(".") || "options",
        message: issue.code === "custom" ? "must be a function" : issue.message,
      })),
    );
  }
  const missing: { setting: string; message: string }[] = [];
  for (const model of Object.values(options.map.models)) {
    for (const field of Object.values(model.encrypted)) {
      if (!Object.hasOwn(options.keys, field.key)) {
        missing.push({
          setting: `keys.${field.key}`,
          message: `missing, needed by ${model.name}.${field.name}`,
        });
      }
    }
  }
  if (missing.length > 0) throw new EncryptionConfigError(missing);
  return {
    map: options.map,
    kms: cacheForExtension(options.kms, options.cache, options.map, options.keys),
    keys: options.keys,
    onDecryptError: parsed.data.onDecryptError,
    allowPlaintextReads: parsed.data.allowPlaintextReads,
    onEvent: options.onEvent,
  };
}
