/**
 * The root of every error this library throws.
 *
 * Each subclass has a stable `code` (e.g. `KMS_THROTTLED`) that callers can
 * switch on; messages are for humans and may change. No error ever carries a
 * secret: access keys, secret keys, tokens, plaintexts and contexts are never
 * put into a message or a property.
 */
export class NcpKmsError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

const brand = Symbol.for("prisma-ncp-kms.error");
Object.defineProperty(NcpKmsError.prototype, brand, { value: true });

/**
 * `true` for any error thrown by this library, even when two copies of the
 * package are loaded (where `instanceof` would fail).
 */
export function isNcpKmsError(error: unknown): error is NcpKmsError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
