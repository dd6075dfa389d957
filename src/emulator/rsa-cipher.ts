import { constants, type KeyObject, privateDecrypt, publicEncrypt } from "node:crypto";
import { invalidRequest } from "./errors.js";

/**
 * RSA2048 encryption: RSA-OAEP with SHA-256, which caps a plaintext at 190
 * bytes (the figure NCP documents). A context, when given, is the OAEP label
 * ([ours]), so a wrong context fails to decrypt like it does for AES.
 */
export const RSA_MAX_PLAINTEXT = 190;

export function rsaEncrypt(publicKey: KeyObject, plaintext: Buffer, context: Buffer | undefined): Buffer {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: context },
    plaintext,
  );
}

export function rsaDecrypt(
  privateKey: KeyObject,
  payload: Buffer,
  context: Buffer | undefined,
  what: string,
): Buffer {
  try {
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: context },
      payload,
    );
  } catch {
    throw invalidRequest(`${what} failed to decrypt (tampered, wrong key or wrong context)`);
  }
}
