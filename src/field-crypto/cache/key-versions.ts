/**
 * The newest key version this process has seen per key tag, and a
 * generation that moves on every rotation: convergent encrypt results of an
 * older version, or of a call that started before a rotation, are not reused.
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

  /** A rotation of `keyTag` (its new version may not be known yet). */
  rotated(keyTag: string, version?: number): void {
    this.generations.set(keyTag, this.generationOf(keyTag) + 1);
    const next = version ?? this.newestOf(keyTag) + 1;
    if (next > this.newestOf(keyTag)) this.newest.set(keyTag, next);
  }
}
