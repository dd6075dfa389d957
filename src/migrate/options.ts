/**
 * Validating engine options once, up front; messages name the option.
 */
import { MigrateInvalidOptionError } from "./errors.js";
import type { MigrateOptions } from "./types.js";

const MODES = ["rotate", "encrypt", "decrypt", "status"] as const;

export interface ResolvedOptions {
  readonly batchSize: number;
  readonly concurrency: number;
  readonly stateDir: string;
  readonly dryRun: boolean;
}

function positiveInt(option: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new MigrateInvalidOptionError(option, `expected an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

export function resolveOptions(o: MigrateOptions): ResolvedOptions {
  if (!MODES.includes(o.mode)) {
    throw new MigrateInvalidOptionError("mode", `expected one of ${MODES.join(", ")}, got ${String(o.mode)}`);
  }
  if (o.resume === true && o.restart === true) {
    throw new MigrateInvalidOptionError("resume", "resume and restart exclude each other");
  }
  if (typeof o.map !== "object" || o.map === null || typeof o.map.models !== "object") {
    throw new MigrateInvalidOptionError("map", "expected the generated encryption map");
  }
  if (o.shard !== undefined) {
    const { index, count } = o.shard;
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new MigrateInvalidOptionError("shard", "expected { index, count } with 0 ≤ index < count");
    }
  }
  if (o.rotateKeys === true && o.mode !== "rotate") {
    throw new MigrateInvalidOptionError("rotateKeys", "only with mode rotate");
  }
  return {
    batchSize: positiveInt("batchSize", o.batchSize, 500, 10_000),
    concurrency: positiveInt("concurrency", o.concurrency, 2, 64),
    stateDir: o.stateDir ?? ".prisma-ncp-kms",
    dryRun: o.dryRun === true,
  };
}
