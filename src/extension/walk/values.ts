/**
 * Field values as the walk classifies them. Prisma's `DbNull`, `JsonNull`
 * and `AnyNull` are class instances with a `_getName()`; they are recognised
 * by shape so two copies of the Prisma runtime do not matter.
 */
import { encodeEnvelope } from "../../field-crypto/envelope.js";
import type { FieldCrypto } from "../compiled-map.js";
import { InvalidFieldValueError } from "../errors.js";
import { Slot } from "./tree.js";

const nullTypeNames = new Set(["DbNull", "JsonNull", "AnyNull"]);

/** `Prisma.DbNull`, `Prisma.JsonNull` or `Prisma.AnyNull`. */
export function isPrismaNullType(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const getName: unknown = (value as { _getName?: unknown })._getName;
  return typeof getName === "function" && nullTypeNames.has(String(getName.call(value)));
}

/** `Prisma.skip`: the field is left out of the query (recognised by shape, like the null types). */
export function isPrismaSkip(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { ifUndefined?: unknown }).ifUndefined === "function" &&
    Object.keys(value).length === 0
  );
}

/** Values that are stored as they are: they are not data (null, undefined, `Prisma.skip`, Prisma's null types). */
export function isNullish(value: unknown): boolean {
  return value === null || value === undefined || isPrismaNullType(value) || isPrismaSkip(value);
}

/** A plaintext on its way to the KMS; filled with the column's ciphertext value. */
export class EncryptSlot extends Slot {
  constructor(
    readonly field: FieldCrypto,
    readonly plaintext: Uint8Array,
  ) {
    super();
  }
}

/** Encodes a field value into its envelope and returns the slot that will hold its ciphertext. */
export function encryptSlot(field: FieldCrypto, value: unknown): EncryptSlot {
  if (field.type === "String" && typeof value !== "string") {
    throw new InvalidFieldValueError(field.model, field.name, "a string");
  }
  if (field.type === "Bytes" && !(value instanceof Uint8Array)) {
    throw new InvalidFieldValueError(field.model, field.name, "a Uint8Array");
  }
  if (
    field.type === "Json" &&
    (value === undefined || typeof value === "function" || typeof value === "symbol")
  ) {
    throw new InvalidFieldValueError(field.model, field.name, "a JSON value");
  }
  let envelope: Uint8Array;
  try {
    envelope = encodeEnvelope(field.type, field.tag, value);
  } catch {
    // JSON.stringify refuses BigInt and cycles; the value itself stays out of the message.
    throw new InvalidFieldValueError(field.model, field.name, `a ${field.type} value`);
  }
  return new EncryptSlot(field, envelope);
}
