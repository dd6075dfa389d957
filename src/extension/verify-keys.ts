/**
 * `verifyEncryptionKeys`: the extension's key checks on demand, for a
 * start-up health check, instead of at the first write.
 */
import { checkKeyUses, type KeyCheckKms, keyUsesOf } from "../field-crypto/key-check.js";
import type { EncryptionMap } from "../schema/map.js";
import { compileMap } from "./compiled-map.js";
import { EncryptionConfigError } from "./errors.js";

/** What {@link verifyEncryptionKeys} needs: the same `map`, `kms` and `keys` as `ncpKmsEncryption`. */
export interface VerifyEncryptionKeysOptions {
  map: EncryptionMap;
  /** The KMS client; with `getKey` (e.g. `createKmsClient(...)`) key type and status are checked too. */
  kms: KeyCheckKms;
  keys: Record<string, string>;
}

/**
 * Checks every key the map uses, all at once: searchable fields' keys must
 * be convergent (the same probe, encrypted twice with the field's context,
 * gives equal ciphertexts), other fields' keys must encrypt without a
 * context, and keys must be enabled and AES256 (where the client can read
 * the key's description). Costs one small encrypt request per key (plus
 * `getKey` where available); encrypts a fixed public probe, nothing else.
 *
 * @throws {EncryptionKeyCheckError} listing each key name, the `Model.field`s using it and what is wrong.
 * @throws {EncryptionConfigError} when `keys` lacks a key name the map uses.
 * @example
 * ```ts
 * await verifyEncryptionKeys({ map: encryptionMap, kms, keys }); // at start-up, before serving
 * ```
 */
export async function verifyEncryptionKeys(options: VerifyEncryptionKeysOptions): Promise<void> {
  const missing: { setting: string; message: string }[] = [];
  for (const model of Object.values(options.map.models)) {
    for (const field of Object.values(model.encrypted)) {
      if (!Object.hasOwn(options.keys, field.key))
        missing.push({
          setting: `keys.${field.key}`,
          message: `missing, needed by ${model.name}.${field.name}`,
        });
    }
  }
  if (missing.length > 0) throw new EncryptionConfigError(missing);
  const compiled = compileMap(options.map, options.keys);
  await checkKeyUses(options.kms, keyUsesOf([...compiled.models.values()].flatMap((m) => m.encryptedList)));
}
