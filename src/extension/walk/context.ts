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

  /** A slot for `value`'s ciphertext, recorded for the KMS round. */
  encrypt(field: FieldCrypto, value: unknown): EncryptSlot {
    const slot = encryptSlot(field, value);
    this.slots.push(slot);
    return slot;
  }
}
