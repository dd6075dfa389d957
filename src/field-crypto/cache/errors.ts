import { NcpKmsError } from "../../errors.js";

/**
 * A `createKmsCache` option is wrong; the message names it and the type
 * given (never the value). Its code is the extension's configuration code:
 * the cache is one of `ncpKmsEncryption`'s settings.
 */
export class KmsCacheOptionError extends NcpKmsError {
  /** The option, e.g. `ttlMs`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super("ENCRYPTION_CONFIG_INVALID", `Invalid cache option \`${option}\`: ${message}`);
    this.option = option;
  }
}
