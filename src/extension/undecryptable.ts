/**
 * What a field reads as when it cannot be decrypted and the extension was
 * built with `onDecryptError: "marker"` (admin tools that must list rows
 * even when some are damaged). It holds the stored ciphertext, never a
 * plaintext.
 */
import type { RowId } from "./errors.js";

export class UndecryptableValue {
  /** Always `true`; lets callers test without `instanceof`. */
  readonly undecryptable = true as const;
  constructor(
    readonly model: string,
    readonly field: string,
    readonly rowId: RowId | undefined,
    /** The error code that would have been thrown, e.g. `DECRYPTION_FAILED`. */
    readonly code: string,
    /** The stored ciphertext (`ncpkms:v<N>:...`), or `undefined` for refused plaintext. */
    readonly ciphertext: string | undefined,
  ) {}

  toJSON(): Record<string, unknown> {
    return { undecryptable: true, model: this.model, field: this.field, code: this.code };
  }
}

/** `true` for a marker returned in place of a field value. */
export function isUndecryptable(value: unknown): value is UndecryptableValue {
  return value instanceof UndecryptableValue;
}
