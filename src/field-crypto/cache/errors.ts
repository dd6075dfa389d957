import { NcpKmsError } from "../../errors.js";

/** A `createKmsCache` option is wrong; the message names it and the type given (never the value). */
export class KmsCacheOptionError extends NcpKmsError {
  /** The option, e.g. `ttlMs`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super("CACHE_INVALID_OPTION", `Invalid cache option \`${option}\`: ${message}`);
    this.option = option;
  }
}
