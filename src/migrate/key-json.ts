/**
 * Primary-key values in JSON (checkpoints, shard plans): numbers and strings
 * as themselves, BigInt and Date tagged so they come back with their type.
 */
import type { IdValue } from "./types.js";

export type JsonIdValue = string | number | boolean | { $bigint: string } | { $date: string };

export function idToJson(value: IdValue): JsonIdValue {
  if (typeof value === "bigint") return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  return value;
}

export function idFromJson(value: unknown): IdValue {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "object" && value !== null) {
    const tagged = value as Record<string, unknown>;
    if (typeof tagged.$bigint === "string") return BigInt(tagged.$bigint);
    if (typeof tagged.$date === "string") return new Date(tagged.$date);
  }
  throw new TypeError("not a primary-key value");
}
