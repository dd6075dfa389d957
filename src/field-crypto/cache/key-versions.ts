/**
 * The newest key version this process has seen per key tag, and a
 * generation that moves on every rotation: convergent encrypt results of an
 * older version, or of a call that started before a rotation, are not reused.
 *
 * A rotation seen only as an event (no version number) leaves the key
 * "unconfirmed" until an encrypt answers on it: until then a decrypted old
 * ciphertext must not become the value's cached encryption.
 */
const versionPattern = /^ncpkms:v(\d+):/;

/** The key version a ciphertext names (`ncpkms:v3:...` → 3), or 0 when it names none. */
export function versionOf(ciphertext: string): number {
  const match = versionPattern.exec(ciphertext);
  return match === null ? 0 : Number(match[1]);
}

export class KeyVersions {
  private readonly newest = new Map<string, number>();
  private readonly generations = new Map<string, number>();
  private readonly unconfirmed = new Set<string>();

  newestOf(keyTag: string): number {
    return this.newest.get(keyTag) ?? 0;
  }

  generationOf(keyTag: string): number {
    return this.generations.get(keyTag) ?? 0;
  }

  /** Records a version seen in a KMS response or a decrypted ciphertext; `true` when it is newer than any before. */
  observe(keyTag: string, version: number): boolean {
    if (version <= this.newestOf(keyTag)) return false;
    this.newest.set(keyTag, version);
    return true;
  }

  /** An encrypt answered on `version` with no rotation since it began: that is the key's current version. */
  confirm(keyTag: string, version: number): void {
    this.observe(keyTag, version);
    this.unconfirmed.delete(keyTag);
  }

  /** Whether a decrypted ciphertext may teach the encrypt cache (no rotation pending confirmation). */
  confirmed(keyTag: string): boolean {
    return !this.unconfirmed.has(keyTag);
  }

  /** A rotation of `keyTag`; `version` is the new one when known. */
  rotated(keyTag: string, version?: number): void {
    this.generations.set(keyTag, this.generationOf(keyTag) + 1);
    if (version === undefined) this.unconfirmed.add(keyTag);
    else this.confirm(keyTag, version);
  }
}
