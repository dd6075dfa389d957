/**
 * Key checks, once per key, before the first write that uses it: a wrong
 * kind of key breaks things silently (a non-convergent key behind a
 * searchable column makes `findUnique` return `null` and `@unique` enforce
 * nothing; a convergent key behind a plain column fails every write with an
 * opaque 400). So before a key encrypts anything for a column:
 *
 * - searchable use: one array encrypt of the same probe twice, with the
 *   field's context, must give two equal ciphertexts (convergent);
 * - non-searchable use: one encrypt of the probe without a context must work
 *   (a convergent key needs a context);
 * - the key must be enabled and, where the client can read the key's
 *   description (`getKey`; the emulator and account auth), AES256.
 *
 * The probe is a fixed, public string: nothing secret goes to the KMS or
 * into an error.
 */
import { isNcpKmsError, NcpKmsError } from "../errors.js";
import type { KmsCrypto } from "../kms/types.js";
import { isWellFormedCiphertext } from "./ciphertext.js";

/** How one key is used: by searchable fields (with a context) or not. */
export interface KeyUse {
  /** The key name in the `keys` config (`default`, `searchable`, ...). */
  readonly keyName: string;
  readonly keyTag: string;
  readonly searchable: boolean;
  /** A context of one of the fields (searchable uses only). */
  readonly context: Uint8Array | undefined;
  /** `Model.field`s that use the key this way. */
  readonly fields: readonly string[];
}

/** What is wrong with a key, as a stable word. */
export type KeyProblemKind = "not-convergent" | "needs-context" | "not-aes256" | "disabled" | "unusable";

export interface KeyProblem {
  readonly keyName: string;
  readonly fields: readonly string[];
  readonly problem: KeyProblemKind;
  /** What is wrong and what to do, naming the key name and the fields. */
  readonly message: string;
}

/**
 * A configured key cannot serve the fields that use it; nothing was written.
 * `problems` has one entry per key (key name, `Model.field`s, what is wrong).
 */
export class EncryptionKeyCheckError extends NcpKmsError {
  readonly problems: readonly KeyProblem[];
  constructor(problems: readonly KeyProblem[], cause?: unknown) {
    super(
      "ENCRYPTION_KEY_INVALID",
      problems.length === 1
        ? `${problems[0]?.message}; nothing was written`
        : `Encryption keys failed their checks; nothing was written:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`,
      { cause },
    );
    this.problems = problems;
  }
}

/** The narrow KMS view the checks need; `getKey` is optional (what it tells "can be known"). */
export type KeyCheckKms = Pick<KmsCrypto, "encryptMany"> & {
  getKey?: (keyTag: string) => Promise<{ keyType?: string | undefined; status?: string | undefined }>;
};

const PROBE = new TextEncoder().encode("prisma-ncp-kms/key-check");

/** The uses of every key by a set of fields, one per (key tag, searchable). */
export function keyUsesOf(
  fields: Iterable<{
    readonly label: string;
    readonly keyName: string;
    readonly keyTag: string;
    readonly searchable: boolean;
    readonly context: Uint8Array | undefined;
  }>,
): KeyUse[] {
  const uses = new Map<string, { use: KeyUse; fields: string[] }>();
  for (const field of fields) {
    const id = keyUseId(field.keyTag, field.searchable);
    const known = uses.get(id);
    if (known !== undefined) {
      known.fields.push(field.label);
      continue;
    }
    const list = [field.label];
    uses.set(id, {
      use: {
        keyName: field.keyName,
        keyTag: field.keyTag,
        searchable: field.searchable,
        context: field.context,
        fields: list,
      },
      fields: list,
    });
  }
  return [...uses.values()].map((u) => u.use);
}

/** The identity of a key use, for once-per-key bookkeeping. */
export function keyUseId(keyTag: string, searchable: boolean): string {
  return `${searchable ? "searchable" : "plain"}\u0000${keyTag}`;
}

/** Checks one key use; resolves to the problem found, or `undefined` when the key is fit. */
export async function checkKeyUse(kms: KeyCheckKms, use: KeyUse): Promise<KeyProblem | undefined> {
  const problem = (kind: KeyProblemKind, what: string): KeyProblem => ({
    keyName: use.keyName,
    fields: use.fields,
    problem: kind,
    message: `key "${use.keyName}" (used by ${use.fields.join(", ")}) ${what}`,
  });
  const described = await describeKey(kms, use.keyTag);
  // Only statuses that clearly say "not usable": an unknown spelling from a real NCP endpoint is not a reason to refuse.
  if (described?.status !== undefined && /disabl|delet|pending/i.test(described.status)) {
    return problem("disabled", `is not enabled (status ${described.status}): enable it in the NCP console`);
  }
  if (described?.keyType !== undefined && described.keyType !== "AES256") {
    return problem("not-aes256", `is a ${described.keyType} key; encrypted fields need an AES256 key`);
  }
  let ciphertexts: string[];
  try {
    ciphertexts = await kms.encryptMany(use.keyTag, use.context, use.searchable ? [PROBE, PROBE] : [PROBE]);
  } catch (error) {
    const code = isNcpKmsError(error) ? error.code : undefined;
    if (code === "KMS_INVALID_STATUS")
      return problem("disabled", "is disabled or pending deletion: enable it in the NCP console");
    if (code === "KMS_BAD_REQUEST" && !use.searchable) {
      return problem(
        "needs-context",
        "refuses to encrypt without a context: it is a convergent key (or not AES256); " +
          "use a non-convergent AES256 key for fields without `searchable`",
      );
    }
    if (code === "KMS_BAD_REQUEST" || code === "KMS_NOT_FOUND" || code === "KMS_FORBIDDEN") {
      return problem("unusable", `cannot encrypt (${code}): is the key tag right, and the key AES256?`);
    }
    // Transport trouble (timeouts, 5xx, throttling) says nothing about the key: the caller's error.
    throw error;
  }
  if (!ciphertexts.every(isWellFormedCiphertext)) {
    return problem("unusable", "returned something that is not an ncpkms:v<N>:<base64> ciphertext");
  }
  if (use.searchable && ciphertexts[0] !== ciphertexts[1]) {
    return problem(
      "not-convergent",
      "is not convergent: the same value encrypted twice gave two different ciphertexts, so lookups " +
        "and @unique on searchable fields would silently fail; configure a key created with convergent " +
        "encryption for searchable fields",
    );
  }
  return undefined;
}

/** The key's type and status when the client can read them; `undefined` when it cannot (never an error). */
async function describeKey(
  kms: KeyCheckKms,
  keyTag: string,
): Promise<{ keyType?: string | undefined; status?: string | undefined } | undefined> {
  if (typeof kms.getKey !== "function") return undefined;
  try {
    return await kms.getKey(keyTag);
  } catch {
    // NCP may not offer the call to these credentials (token auth, no permission): unknown.
    return undefined;
  }
}

/**
 * Checks every use; throws one {@link EncryptionKeyCheckError} listing every
 * problem found.
 */
export async function checkKeyUses(kms: KeyCheckKms, uses: readonly KeyUse[]): Promise<void> {
  const found = await Promise.all(uses.map((use) => checkKeyUse(kms, use)));
  const problems = found.filter((p): p is KeyProblem => p !== undefined);
  if (problems.length > 0) throw new EncryptionKeyCheckError(problems);
}

/**
 * Runs each key use's check once, before its first write: concurrent first
 * writes share one check; a passed check is remembered, a failed one is
 * retried by the next write (it may have been a transient KMS error, or the
 * key fixed meanwhile).
 */
export class KeyChecker {
  private readonly passed = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly uses: ReadonlyMap<string, KeyUse>;

  constructor(
    private readonly kms: KeyCheckKms,
    uses: readonly KeyUse[],
  ) {
    this.uses = new Map(uses.map((u) => [keyUseId(u.keyTag, u.searchable), u]));
  }

  /** Resolves once the key use is known fit; rejects with {@link EncryptionKeyCheckError} otherwise. */
  ensure(keyTag: string, searchable: boolean): Promise<void> | undefined {
    const id = keyUseId(keyTag, searchable);
    if (this.passed.has(id)) return undefined;
    const running = this.running.get(id);
    if (running !== undefined) return running;
    const use = this.uses.get(id);
    if (use === undefined) return undefined;
    const check = checkKeyUse(this.kms, use).then(
      (problem) => {
        this.running.delete(id);
        if (problem !== undefined) throw new EncryptionKeyCheckError([problem]);
        this.passed.add(id);
      },
      (error: unknown) => {
        this.running.delete(id);
        throw error;
      },
    );
    this.running.set(id, check);
    return check;
  }
}
