import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { KeyType } from "./types.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** The secret material of one key version, ready to use. */
export type VersionMaterial =
  | { kind: "aes"; key: Buffer; macKey: Buffer }
  | { kind: "rsa" | "ecdsa"; privateKey: KeyObject; publicKey: KeyObject };

/** The same material as stored in the data file (base64 and PEM strings). */
export interface StoredMaterial {
  key?: string;
  macKey?: string;
  privateKeyPem?: string;
}

/**
 * New material for a key version. RSA key generation runs off the main
 * thread (`generateKeyPair` is async), so creating a key does not stall
 * requests in flight.
 */
export async function generateMaterial(keyType: KeyType): Promise<VersionMaterial> {
  switch (keyType) {
    case "AES256":
      // macKey derives convergent IVs; a non-convergent key carries one too so
      // every AES version has the same shape.
      return { kind: "aes", key: randomBytes(32), macKey: randomBytes(32) };
    case "RSA2048": {
      const { privateKey, publicKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
      return { kind: "rsa", privateKey, publicKey };
    }
    case "ECDSA": {
      const { privateKey, publicKey } = await generateKeyPairAsync("ec", { namedCurve: "prime256v1" });
      return { kind: "ecdsa", privateKey, publicKey };
    }
  }
}

export function serializeMaterial(material: VersionMaterial): StoredMaterial {
  if (material.kind === "aes") {
    return { key: material.key.toString("base64"), macKey: material.macKey.toString("base64") };
  }
  return { privateKeyPem: material.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

export function deserializeMaterial(keyType: KeyType, stored: StoredMaterial): VersionMaterial {
  if (keyType === "AES256") {
    if (stored.key === undefined || stored.macKey === undefined) throw new Error("AES material incomplete");
    return {
      kind: "aes",
      key: Buffer.from(stored.key, "base64"),
      macKey: Buffer.from(stored.macKey, "base64"),
    };
  }
  if (stored.privateKeyPem === undefined) throw new Error("asymmetric material incomplete");
  const privateKey = createPrivateKey(stored.privateKeyPem);
  return {
    kind: keyType === "RSA2048" ? "rsa" : "ecdsa",
    privateKey,
    publicKey: createPublicKey(privateKey),
  };
}
