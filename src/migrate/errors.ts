/**
 * Errors the migration engine throws. Messages name models, fields, modes and
 * file paths — never a column value, plaintext, context or credential.
 */
import { NcpKmsError } from "../errors.js";

/** Base class of every migration error. */
export class MigrateError extends NcpKmsError {}

/** A migration option is invalid (names the option, never a secret value). */
export class MigrateInvalidOptionError extends MigrateError {
  readonly option: string;
  constructor(option: string, message: string) {
    super("MIGRATE_INVALID_OPTION", `Invalid migration option '${option}': ${message}`);
    this.option = option;
  }
}

/** `--model`/`--field` named something the encryption map does not mark. */
export class MigrateUnknownTargetError extends MigrateError {
  constructor(what: string) {
    super("MIGRATE_UNKNOWN_TARGET", `Not an encrypted model or field in the encryption map: ${what}`);
  }
}

/** A checkpoint from an earlier, unfinished run exists and neither resume nor restart was chosen. */
export class MigrateCheckpointExistsError extends MigrateError {
  readonly path: string;
  constructor(path: string) {
    super(
      "MIGRATE_CHECKPOINT_EXISTS",
      `An unfinished run left a checkpoint at ${path}; pass --resume to continue it or --restart to start over`,
    );
    this.path = path;
  }
}

/** A checkpoint file could not be read or belongs to a different run. */
export class MigrateCheckpointInvalidError extends MigrateError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super("MIGRATE_CHECKPOINT_INVALID", `Checkpoint ${path} cannot be used: ${reason}`);
    this.path = path;
  }
}

/** The key's newest version could not be determined (the probe encryption failed). */
export class MigrateKeyProbeError extends MigrateError {
  constructor(keyName: string, cause: unknown) {
    super("MIGRATE_KEY_PROBE_FAILED", `Could not determine the newest version of key '${keyName}'`, {
      cause,
    });
  }
}

/** The Prisma client given to the engine lacks a model delegate the map names. */
export class MigrateClientError extends MigrateError {
  constructor(message: string) {
    super("MIGRATE_CLIENT", message);
  }
}

/**
 * The Prisma client given to the engine is extended with `ncpKmsEncryption`:
 * it would read decrypted values and report every row "skipped" while the
 * table stays encrypted, so the engine refuses it before touching a row.
 */
export class MigrateExtendedClientError extends MigrateError {
  constructor() {
    super(
      "MIGRATE_CLIENT_EXTENDED",
      "`prisma` is extended with ncpKmsEncryption(...): migrate must read and write what is stored. " +
        "Pass the generated client without the encryption extension (e.g. new PrismaClient({ adapter }), " +
        "not prisma.$extends(ncpKmsEncryption(...)))",
    );
  }
}
