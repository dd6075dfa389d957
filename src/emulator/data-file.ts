import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { NcpKmsError } from "../errors.js";
import type { StoredKey } from "./keystore.js";
import type { EmulatorCredentials } from "./types.js";

/** Everything a restarted emulator needs to pick up where it stopped. */
export interface StoredState {
  format: 1;
  credentials: EmulatorCredentials;
  /** PKCS#8 PEM of the RS256 key that signs tokens, so old tokens stay valid. */
  tokenSigningKeyPem: string;
  keys: StoredKey[];
}

const FILE_NAME = "ncp-kms-emulator.json";

const storedKeySchema = z.object({
  keyId: z.string(),
  keyTag: z.string(),
  keyName: z.string(),
  keyType: z.enum(["AES256", "RSA2048", "ECDSA"]),
  isConvergent: z.boolean(),
  status: z.enum(["ENABLED", "DISABLED"]),
  protectionType: z.enum(["BASIC", "COMMON_HSM"]),
  memo: z.string(),
  isAutoRotation: z.boolean(),
  rotationPeriod: z.number().nullable(),
  registerDate: z.number(),
  newest: z.number().int().positive(),
  tokenCreatorId: z.string().nullable(),
  ipAcl: z.object({ enabled: z.boolean(), allow: z.array(z.string()) }),
  versions: z.array(
    z.object({
      version: z.number().int().positive(),
      createdDate: z.number(),
      material: z.object({
        key: z.string().optional(),
        macKey: z.string().optional(),
        privateKeyPem: z.string().optional(),
      }),
    }),
  ),
});

const storedStateSchema = z.object({
  format: z.literal(1),
  credentials: z.object({ accessKey: z.string(), secretKey: z.string(), apiGatewayKey: z.string() }),
  tokenSigningKeyPem: z.string(),
  keys: z.array(storedKeySchema),
});

/** The data file could not be read or does not have the expected shape. */
export class EmulatorDataFileError extends NcpKmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("EMULATOR_DATA_FILE", message, options);
  }
}

/** Reads the state from `dir`, or `undefined` when the directory holds none yet. */
export async function readState(dir: string): Promise<StoredState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE_NAME), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EmulatorDataFileError(`cannot read ${FILE_NAME} in the data directory`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmulatorDataFileError(`${FILE_NAME} is not valid JSON`, { cause: error });
  }
  const parsed = storedStateSchema.safeParse(json);
  if (!parsed.success) throw new EmulatorDataFileError(`${FILE_NAME} does not have the expected shape`);
  return parsed.data;
}

/**
 * Returns a function that saves the state atomically: write a temp file,
 * fsync it, rename it over the old one, fsync the directory. Calls are
 * serialised (each save writes the newest state), so a crash leaves either the
 * old file or the new one, never half of one.
 */
export function createStateWriter(dir: string, snapshot: () => StoredState): () => Promise<void> {
  let chain: Promise<void> = mkdir(dir, { recursive: true }).then(() => undefined);
  let counter = 0;
  const writeOnce = async (): Promise<void> => {
    const target = join(dir, FILE_NAME);
    const temp = join(dir, `.${FILE_NAME}.${process.pid}.${counter++}.tmp`);
    const file = await open(temp, "w", 0o600);
    try {
      await file.writeFile(JSON.stringify(snapshot()));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
    const directory = await open(dir, "r");
    try {
      await directory.sync();
    } catch {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    } finally {
      await directory.close();
    }
  };
  return () => {
    const next = chain.then(writeOnce);
    // A failed save must not poison later ones; the caller still sees its own error.
    chain = next.catch(() => undefined);
    return next;
  };
}
