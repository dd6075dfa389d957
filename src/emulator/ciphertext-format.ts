import { invalidRequest } from "./errors.js";

/** `ncpkms:v{N}:{base64}` — the wire form of ciphertexts and signatures. */
const pattern = /^ncpkms:v([1-9][0-9]{0,8}):([A-Za-z0-9+/]*={0,2})$/;

export function formatVersioned(version: number, payload: Buffer): string {
  return `ncpkms:v${version}:${payload.toString("base64")}`;
}

/**
 * Splits a versioned value into its version and decoded payload. A value
 * that does not have the shape is a 400; `what` names the field (and index)
 * in the message — never the value itself.
 */
export function parseVersioned(value: string, what: string): { version: number; payload: Buffer } {
  const match = pattern.exec(value);
  if (match === null || match[2]!.length % 4 !== 0) {
    throw invalidRequest(`${what} is not an ncpkms:v<N>:<base64> value`);
  }
  return { version: Number(match[1]), payload: Buffer.from(match[2]!, "base64") };
}
