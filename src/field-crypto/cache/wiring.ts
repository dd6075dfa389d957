/**
 * How `ncpKmsEncryption({ cache })` turns its option into the `KmsCrypto`
 * the extension uses: the cache is a layer around `kms`, so the extension's
 * walk and checks do not change.
 */
import { z } from "zod";
import type { KmsCrypto } from "../../kms/types.js";
import type { EncryptionMap } from "../../schema/map.js";
import { createKmsCache, KmsCache } from "./kms-cache.js";
import { cacheOptionsSchema, type KmsCacheOptions } from "./options.js";

/** `false` (off), options for a cache of this client's own, or a shared {@link KmsCache}. */
export type CacheOption = false | KmsCacheOptions | KmsCache;

/** The zod schema of the extension's `cache` option. */
export const cacheOptionSchema = z.union([z.literal(false), z.instanceof(KmsCache), cacheOptionsSchema], {
  error: "must be false, a KmsCache (createKmsCache(...)) or { ttlMs?, maxBytes?, maxEntries? }",
});

/** Key tags behind searchable fields: the convergent keys, whose encrypt results may be reused. */
export function convergentKeyTags(map: EncryptionMap, keys: Readonly<Record<string, string>>): Set<string> {
  const tags = new Set<string>();
  for (const model of Object.values(map.models)) {
    for (const field of Object.values(model.encrypted)) {
      const tag = keys[field.key];
      if (field.searchable && tag !== undefined) tags.add(tag);
    }
  }
  return tags;
}

/** `kms` behind the cache the option asks for (on by default), or `kms` itself for `cache: false`. */
export function cacheForExtension(
  kms: KmsCrypto,
  option: CacheOption | undefined,
  map: EncryptionMap,
  keys: Readonly<Record<string, string>>,
): KmsCrypto {
  if (option === false) return kms;
  const cache = option instanceof KmsCache ? option : createKmsCache(option ?? {});
  return cache.wrap(kms, { convergentKeyTags: convergentKeyTags(map, keys) });
}
