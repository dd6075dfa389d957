/**
 * The value envelope now lives in the shared field-crypto core
 * (`src/field-crypto/envelope.ts`); this re-export keeps old import paths
 * (tests, migrate files not yet switched) working.
 */
export * from "../field-crypto/envelope.js";
