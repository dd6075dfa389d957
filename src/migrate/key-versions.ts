/**
 * The newest version of each key, found without any key-management
 * permission: encrypt a fixed probe value and read the version the
 * ciphertext names (`ncpkms:v<N>:`) — encrypt always uses the newest version.
 * Costs one encrypt request per key.
 */
import { ciphertextVersion } from "../field-crypto/envelope.js";
import { MigrateInvalidOptionError, MigrateKeyProbeError } from "./errors.js";
import type { ModelTarget } from "./plan.js";
import type { MigrateKms } from "./types.js";

const PROBE = new TextEncoder().encode("prisma-ncp-kms/version-probe");

/** Newest version per key tag (and the key name that first used it, for messages). */
export async function probeKeyVersions(
  kms: MigrateKms,
  targets: readonly ModelTarget[],
): Promise<Map<string, { keyName: string; version: number }>> {
  const firstUse = new Map<string, { keyName: string; context: Uint8Array | undefined }>();
  for (const target of targets) {
    for (const field of target.fields) {
      // A convergent (searchable) key needs a context; any of its fields' contexts will do.
      if (!firstUse.has(field.keyTag))
        firstUse.set(field.keyTag, { keyName: field.keyName, context: field.context });
    }
  }
  const versions = new Map<string, { keyName: string; version: number }>();
  await Promise.all(
    [...firstUse].map(async ([keyTag, use]) => {
      let version: number | null;
      try {
        const [ciphertext] = await kms.encryptMany(keyTag, use.context, [PROBE]);
        version = ciphertext === undefined ? null : ciphertextVersion(ciphertext);
      } catch (error) {
        throw new MigrateKeyProbeError(use.keyName, error);
      }
      if (version === null) throw new MigrateKeyProbeError(use.keyName, new Error("no version prefix"));
      versions.set(keyTag, { keyName: use.keyName, version });
    }),
  );
  return versions;
}

/** Rotates each distinct key once (`--rotate-key`). */
export async function rotateKeys(kms: MigrateKms, targets: readonly ModelTarget[]): Promise<void> {
  if (kms.rotateKey === undefined) {
    throw new MigrateInvalidOptionError(
      "rotateKeys",
      "the KMS client cannot rotate keys (no rotateKey method)",
    );
  }
  const tags = new Set(targets.flatMap((t) => t.fields.map((f) => f.keyTag)));
  for (const tag of tags) await kms.rotateKey(tag);
}
