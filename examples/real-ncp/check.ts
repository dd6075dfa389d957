/**
 * A start-up check of both keys, so that a wrong key tag, a missing
 * permission or a searchable key created without convergent encryption
 * fails at start with the variable named, not on a user's first request.
 * Costs three KMS requests.
 */
// An app imports these from "prisma-ncp-kms".
import { isNcpKmsError, type KmsClient } from "../../src/index.js";
import { KmsKeyCheckError } from "./errors.js";

const PROBE = "prisma-ncp-kms start-up check";
const CONTEXT = "start-up-check";

function failure(variable: string, error: unknown): KmsKeyCheckError {
  const code = isNcpKmsError(error) ? error.code : "UNKNOWN";
  const hint =
    code === "KMS_UNAUTHORIZED"
      ? " (check NCP_ACCESS_KEY/NCP_SECRET_KEY or the key's access token)"
      : code === "KMS_NOT_FOUND"
        ? " (no key with this tag)"
        : code === "KMS_CONNECTION" || code === "KMS_TIMEOUT"
          ? " (check NCP_KMS_ENDPOINT)"
          : "";
  return new KmsKeyCheckError(variable, `encrypting a probe failed with ${code}${hint}`, { cause: error });
}

/** Encrypts a probe with each key; throws {@link KmsKeyCheckError} naming the key's variable. */
export async function checkKeys(
  kms: KmsClient,
  keys: { default: string; searchable: string },
): Promise<void> {
  try {
    await kms.encrypt(keys.default, PROBE);
  } catch (error) {
    throw failure("NCP_KMS_KEY_DEFAULT", error);
  }
  let first: string;
  let second: string;
  try {
    // One after the other, so the two encryptions are separate KMS requests.
    first = await kms.encrypt(keys.searchable, PROBE, { context: CONTEXT });
    second = await kms.encrypt(keys.searchable, PROBE, { context: CONTEXT });
  } catch (error) {
    throw failure("NCP_KMS_KEY_SEARCHABLE", error);
  }
  if (first !== second) {
    throw new KmsKeyCheckError(
      "NCP_KMS_KEY_SEARCHABLE",
      "is not a convergent key, so equality search would never match; create an AES256 key with convergent encryption",
    );
  }
}
