import { type KeyObject, sign, verify } from "node:crypto";

/**
 * sign/verify: RSA2048 uses RSASSA-PKCS1-v1_5 with SHA-256 ([ours]; NCP does
 * not name the scheme); ECDSA uses P-256 with SHA-256, DER-encoded
 * signatures. Both run on libuv's thread pool (callback form), so RSA signing
 * does not block the event loop.
 */
export function signData(privateKey: KeyObject, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign("sha256", data, privateKey, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}

export function verifyData(publicKey: KeyObject, data: Buffer, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    // A malformed signature makes verify error out; for the caller it is
    // simply not valid.
    verify("sha256", data, publicKey, signature, (error, valid) => resolve(error ? false : valid));
  });
}
