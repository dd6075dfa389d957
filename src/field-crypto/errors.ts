/**
 * Errors of the field-crypto core, shared by the extension and the
 * migration engine, and the one code per envelope problem both report.
 * Messages name actions, key names and `Model.field`s, never a value,
 * plaintext, ciphertext or context.
 */
import { type EncryptionErrorCode, NcpKmsError } from "../errors.js";
import type { EnvelopeProblem } from "./envelope.js";

/** What the KMS returned for encrypt / re-encrypt is not a ciphertext; nothing was written. */
export class KmsOutputInvalidError extends NcpKmsError {
  readonly action: "encrypt" | "re-encrypt";
  /** Positions in the request array whose result was refused. */
  readonly indexes: readonly number[];
  constructor(action: "encrypt" | "re-encrypt", indexes: readonly number[], reason: string) {
    super(
      "KMS_OUTPUT_INVALID",
      `The KMS ${action} response is not usable (${reason}${
        indexes.length > 0 ? `; item${indexes.length === 1 ? "" : "s"} ${indexes.slice(0, 5).join(", ")}` : ""
      }); nothing was written`,
    );
    this.action = action;
    this.indexes = indexes;
  }
}

/**
 * The stable code for a decrypted envelope that cannot be used, the same in
 * the extension (the thrown error's `code`) and in migrate (a failure's `code`).
 */
export function envelopeProblemCode(problem: EnvelopeProblem): EncryptionErrorCode {
  switch (problem) {
    case "wrong-column":
      return "DECRYPTION_WRONG_COLUMN";
    case "wrong-type":
      return "DECRYPTION_WRONG_TYPE";
    case "malformed":
      return "DECRYPTION_MALFORMED";
  }
}
