/**
 * `ncpKmsEncryption`: the Prisma client extension. Hooks are registered only
 * on models that hold an encrypted field or reach one through relations;
 * every other model runs with no hook at all.
 */
import { Prisma } from "@prisma/client/extension";
import { KeyChecker, keyUsesOf } from "../field-crypto/key-check.js";
import { compileMap } from "./compiled-map.js";
import { type NcpKmsEncryptionOptions, resolveOptions } from "./config.js";
import { queryHooks } from "./hooks.js";
import { ENCRYPTION_EXTENSION_NAME } from "./name.js";

/** A query-only extension changes no types; this gives `$extends` the right result type. */
const typedShape = () => Prisma.defineExtension({ name: ENCRYPTION_EXTENSION_NAME });

/** What `ncpKmsEncryption` returns: pass it to `$extends`. */
export type NcpKmsEncryptionExtension = ReturnType<typeof typedShape>;

/**
 * Transparent field-level encryption with NCP KMS for a Prisma 7 client.
 *
 * Fields marked `/// @encrypted` in `schema.prisma` are encrypted on every
 * write (nested writes included) and decrypted on every read (include,
 * select, Fluent API, transactions); equality filters on fields marked
 * `/// @encrypted(searchable)` keep working. Queries ciphertext cannot answer
 * (ordering, `contains`, range filters, filters on non-searchable fields)
 * throw `UnsupportedQueryError` before they run.
 *
 * Options are validated here; a wrong one throws `EncryptionConfigError`
 * naming it. Each key is checked once, before the first write that uses it
 * (convergent for searchable fields, usable without a context otherwise,
 * enabled, AES256 where the client can tell): a wrong key throws
 * `EncryptionKeyCheckError` and nothing is written. Call
 * {@link verifyEncryptionKeys} at start-up to find out earlier.
 *
 * @example
 * ```ts
 * import { createKmsClient, ncpKmsEncryption } from "prisma-ncp-kms";
 * import { encryptionMap } from "./generated/encryption/index.js";
 *
 * const kms = createKmsClient({ ... });
 * const prisma = new PrismaClient({ adapter }).$extends(
 *   ncpKmsEncryption({
 *     map: encryptionMap,
 *     kms,
 *     keys: { default: "<keyTag>", searchable: "<convergent keyTag>" },
 *   }),
 * );
 * await prisma.user.create({ data: { email: "a@example.com" } }); // stored as ncpkms:v1:...
 * await prisma.user.findUnique({ where: { email: "a@example.com" } }); // found, decrypted
 * ```
 *
 * In interactive transactions, KMS time counts against the transaction
 * `timeout` (5 s by default): raise it with `$transaction(fn, { timeout })`
 * for large encrypted writes.
 */
export function ncpKmsEncryption(options: NcpKmsEncryptionOptions): NcpKmsEncryptionExtension {
  const resolved = resolveOptions(options);
  const compiled = compileMap(resolved.map, resolved.keys);
  const fields = [...compiled.models.values()].flatMap((m) => m.encryptedList);
  // The checks go to the KMS itself, never through the answer cache: its
  // single-flight would send the convergence probe's two equal plaintexts
  // once and hand back one ciphertext twice, passing any key.
  const keyChecker = new KeyChecker(options.kms, keyUsesOf(fields));
  const query = queryHooks(compiled, resolved, keyChecker);
  return Prisma.defineExtension({ name: ENCRYPTION_EXTENSION_NAME, query } as Parameters<
    typeof Prisma.defineExtension
  >[0]);
}
