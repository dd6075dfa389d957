/**
 * The KMS calls whose results are written to a column, with their outputs
 * checked: a result that is not a well-formed ciphertext never leaves here.
 */
import type { KmsCrypto, Settled } from "../kms/types.js";
import { checkCiphertexts, isWellFormedCiphertext } from "./ciphertext.js";
import { KmsOutputInvalidError } from "./errors.js";

/**
 * `encryptMany`, then checks the result (length and shape of every item).
 *
 * @throws the KMS client's error, or {@link KmsOutputInvalidError}.
 */
export async function encryptChecked(
  kms: Pick<KmsCrypto, "encryptMany">,
  keyTag: string,
  context: Uint8Array | undefined,
  plaintexts: readonly Uint8Array[],
): Promise<string[]> {
  const ciphertexts: unknown = await kms.encryptMany(keyTag, context, plaintexts);
  checkCiphertexts("encrypt", plaintexts.length, ciphertexts as readonly unknown[]);
  return ciphertexts as string[];
}

/**
 * `reencryptManySettled`, with every successful item's output checked: a
 * malformed one becomes that item's failure ({@link KmsOutputInvalidError}).
 */
export async function reencryptSettledChecked(
  kms: Pick<KmsCrypto, "reencryptManySettled">,
  keyTag: string,
  context: Uint8Array | undefined,
  ciphertexts: readonly string[],
): Promise<Array<Settled<string>>> {
  const settled = await kms.reencryptManySettled(keyTag, context, ciphertexts);
  if (!Array.isArray(settled) || settled.length !== ciphertexts.length) {
    throw new KmsOutputInvalidError("re-encrypt", [], `expected ${ciphertexts.length} results`);
  }
  return settled.map((s, i) =>
    !s.ok || isWellFormedCiphertext(s.value)
      ? s
      : {
          ok: false as const,
          error: new KmsOutputInvalidError("re-encrypt", [i], "not an ncpkms:v<N>:<base64> ciphertext"),
        },
  );
}
