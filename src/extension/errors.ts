/**
 * Errors thrown by the Prisma extension. Each names the model, field,
 * operator or row id involved, and never the value, the ciphertext's
 * plaintext, or the encryption context.
 */
import { type EncryptionErrorCode, NcpKmsError } from "../errors.js";

/** Row identifier as the error reports it: the id value, or the compound id's fields. */
export type RowId = string | number | bigint | Readonly<Record<string, unknown>>;

function describeRowId(rowId: RowId | undefined): string {
  if (rowId === undefined) return "";
  if (typeof rowId === "object") {
    return ` (row id ${JSON.stringify(rowId, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))})`;
  }
  return ` (row id ${String(rowId)})`;
}

/** A setting passed to `ncpKmsEncryption(...)` is wrong; `settings` names each one. */
export class EncryptionConfigError extends NcpKmsError {
  readonly settings: readonly string[];
  constructor(problems: readonly { setting: string; message: string }[]) {
    super(
      "ENCRYPTION_CONFIG_INVALID",
      `Invalid ncpKmsEncryption options: ${problems.map((p) => `${p.setting}: ${p.message}`).join("; ")}`,
    );
    this.settings = problems.map((p) => p.setting);
  }
}

/**
 * The query uses an encrypted field in a way ciphertext cannot support
 * (a range or text filter, ordering, a filter on a non-searchable field, ...).
 * Thrown before any query runs.
 */
export class UnsupportedQueryError extends NcpKmsError {
  readonly model: string;
  readonly field: string;
  /** The operator or argument refused, e.g. `contains`, `orderBy`, `equals`. */
  readonly operator: string;
  constructor(model: string, field: string, operator: string, reason: string) {
    super("ENCRYPTION_UNSUPPORTED_QUERY", `${model}.${field} is encrypted: ${operator} ${reason}`);
    this.model = model;
    this.field = field;
    this.operator = operator;
  }
}

/** A value written to an encrypted field has the wrong type for it (e.g. a number into a String field). */
export class InvalidFieldValueError extends NcpKmsError {
  readonly model: string;
  readonly field: string;
  constructor(model: string, field: string, expected: string) {
    super("ENCRYPTION_INVALID_VALUE", `${model}.${field} expects ${expected}`);
    this.model = model;
    this.field = field;
  }
}

/** The KMS could not encrypt; nothing was written. `fields` lists the `Model.field`s involved. */
export class EncryptionFailedError extends NcpKmsError {
  readonly fields: readonly string[];
  constructor(fields: readonly string[], cause: unknown) {
    super("ENCRYPTION_FAILED", `Encryption failed for ${fields.join(", ")}; nothing was written`, { cause });
    this.fields = fields;
  }
}

/** A stored ciphertext could not be decrypted (KMS error, tampering, unknown key version, ...). */
export class DecryptionFailedError extends NcpKmsError {
  readonly model: string;
  readonly field: string;
  readonly rowId: RowId | undefined;
  constructor(
    model: string,
    field: string,
    rowId: RowId | undefined,
    reason: string,
    options?: { cause?: unknown; code?: EncryptionErrorCode },
  ) {
    super(
      options?.code ?? "DECRYPTION_FAILED",
      `Cannot decrypt ${model}.${field}${describeRowId(rowId)}: ${reason}`,
      {
        cause: options?.cause,
      },
    );
    this.model = model;
    this.field = field;
    this.rowId = rowId;
  }
}

/** The ciphertext decrypted, but was written for another column (copied between columns). */
export class DecryptionWrongColumnError extends DecryptionFailedError {
  constructor(model: string, field: string, rowId: RowId | undefined) {
    super(model, field, rowId, "the ciphertext belongs to another column", {
      code: "DECRYPTION_WRONG_COLUMN",
    });
  }
}

/** The column holds plaintext (not yet migrated) and `allowPlaintextReads` is `false`. */
export class PlaintextNotAllowedError extends NcpKmsError {
  readonly model: string;
  readonly field: string;
  readonly rowId: RowId | undefined;
  constructor(model: string, field: string, rowId: RowId | undefined) {
    super(
      "PLAINTEXT_NOT_ALLOWED",
      `${model}.${field}${describeRowId(rowId)} holds plaintext and allowPlaintextReads is false`,
    );
    this.model = model;
    this.field = field;
    this.rowId = rowId;
  }
}
