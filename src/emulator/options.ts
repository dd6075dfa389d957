import { NcpKmsError } from "../errors.js";
import { DEFAULT_MAX_BODY_BYTES } from "./http-io.js";
import type { EmulatorOptions } from "./types.js";

/** An emulator option has a wrong value; the message names the option. */
export class EmulatorOptionError extends NcpKmsError {
  constructor(message: string) {
    super("EMULATOR_INVALID_OPTION", message);
  }
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, "dataDir" | "credentials">> &
  Pick<EmulatorOptions, "dataDir" | "credentials">;

function check(name: string, value: number, ok: boolean, rule: string): number {
  if (!ok) throw new EmulatorOptionError(`Expected \`${name}\` to be ${rule}, got ${String(value)}`);
  return value;
}

const positive = (name: string, value: number) =>
  check(name, value, Number.isFinite(value) && value > 0, "a number above 0");
const nonNegative = (name: string, value: number) =>
  check(name, value, Number.isFinite(value) && value >= 0, "a number, 0 or more");

/** Applies defaults and rejects impossible values once, at start. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const port = options.port ?? 0;
  check("port", port, Number.isInteger(port) && port >= 0 && port <= 65535, "an integer from 0 to 65535");
  return {
    host: options.host ?? "127.0.0.1",
    port,
    dataDir: options.dataDir,
    credentials: options.credentials,
    tpsV1: positive("tpsV1", options.tpsV1 ?? 200),
    tpsV2: positive("tpsV2", options.tpsV2 ?? 300),
    latencyMs: nonNegative("latencyMs", options.latencyMs ?? 0),
    admin: options.admin ?? true,
    clockSkewMs: nonNegative("clockSkewMs", options.clockSkewMs ?? 5 * 60 * 1000),
    now: options.now ?? Date.now,
    maxBodyBytes: positive("maxBodyBytes", options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
  };
}
