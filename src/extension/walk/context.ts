/** State of one args walk: the map and the plaintext slots collected so far. */
import type { CompiledMap, FieldCrypto } from "../compiled-map.js";
import { type EncryptSlot, encryptSlot } from "./values.js";

export class ArgsWalk {
  readonly slots: EncryptSlot[] = [];
  constructor(
    readonly map: CompiledMap,
    /** The Prisma operation, for error messages. */
    readonly operation: string,
  ) {}

  /**
   * For a value that fits two shapes (or neither, by our reading): walks it
   * both ways on separate slot lists. When neither reading changes it, it is
   * returned as is; when they would encrypt differently, `refuse` throws:
   * Prisma might pick the reading we did not encrypt for.
   */
  eitherShape(
    value: unknown,
    first: (walk: ArgsWalk) => unknown,
    second: (walk: ArgsWalk) => unknown,
    refuse: () => never,
  ): unknown {
    const a = new ArgsWalk(this.map, this.operation);
    const b = new ArgsWalk(this.map, this.operation);
    const viaFirst = first(a);
    const viaSecond = second(b);
    if (viaFirst === value && viaSecond === value && a.slots.length === 0 && b.slots.length === 0)
      return value;
    return refuse();
  }

  /** A slot for `value`'s ciphertext, recorded for the KMS round. */
  encrypt(field: FieldCrypto, value: unknown): EncryptSlot {
    const slot = encryptSlot(field, value);
    this.slots.push(slot);
    return slot;
  }
}
