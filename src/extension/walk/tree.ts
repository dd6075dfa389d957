/**
 * Copy-on-write helpers for walking Prisma args and results. A walk never
 * mutates what it is given: `mapObject`/`mapArray` copy a container the first
 * time one of its values changes, and return the original when none does.
 *
 * A value to be filled later (a ciphertext, a plaintext) is a `Slot`: the
 * walk returns it in place of the value, and the helper that stores it into
 * the (copied) container tells it where it lives, so the KMS round can fill
 * it in without searching the tree again.
 */

/** A value filled in after the KMS round; it learns its container when stored. */
export abstract class Slot {
  private container: Record<string, unknown> | unknown[] | undefined;
  private key: string | number | undefined;

  place(container: Record<string, unknown> | unknown[], key: string | number): void {
    this.container = container;
    this.key = key;
  }

  /** Writes the final value into the container (a copy the walk owns). */
  fill(value: unknown): void {
    if (this.container === undefined || this.key === undefined) {
      throw new Error("prisma-ncp-kms: internal error, slot filled before it was placed");
    }
    (this.container as Record<string | number, unknown>)[this.key] = value;
  }
}

/** `true` for `{...}` literals (and null-prototype objects), not class instances, arrays or Dates. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Maps the values of a plain object; copies it only when a value changes. */
export function mapObject(
  object: Record<string, unknown>,
  fn: (key: string, value: unknown) => unknown,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const next = fn(key, value);
    if (next === value) continue;
    copy ??= { ...object };
    copy[key] = next;
    if (next instanceof Slot) next.place(copy, key);
  }
  return copy ?? object;
}

/** Maps an array; copies it only when an item changes. */
export function mapArray(array: readonly unknown[], fn: (value: unknown) => unknown): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const value = array[i];
    const next = fn(value);
    if (next === value) continue;
    copy ??= [...array];
    copy[i] = next;
    if (next instanceof Slot) next.place(copy, i);
  }
  return copy ?? array;
}

/** Applies `fn` to a value or to each item of an array of them (Prisma accepts both in many places). */
export function mapOneOrMany(value: unknown, fn: (value: unknown) => unknown): unknown {
  return Array.isArray(value) ? mapArray(value, fn) : fn(value);
}

/** Maps the named keys of a plain object; other keys are kept as they are. */
export function mapKeys(
  value: unknown,
  handlers: Readonly<Record<string, (value: unknown) => unknown>>,
): unknown {
  if (!isPlainObject(value)) return value;
  return mapObject(value, (key, v) => {
    const handler = handlers[key];
    return handler === undefined || v === undefined ? v : handler(v);
  });
}
