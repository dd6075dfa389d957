/**
 * Configuration errors of the real-NCP example. Each names the environment
 * variable involved and never its value (most of them are credentials).
 */
// An app imports this from "prisma-ncp-kms".
import { NcpKmsError } from "../../src/index.js";

/** Required variables are unset or empty; `variables` lists every one. */
export class MissingEnvError extends NcpKmsError<"EXAMPLE_ENV_MISSING"> {
  readonly variables: readonly string[];
  constructor(variables: readonly string[]) {
    const noun = variables.length === 1 ? "variable" : "variables";
    super(
      "EXAMPLE_ENV_MISSING",
      `Missing environment ${noun}: ${variables.join(", ")} (see examples/real-ncp/README.md)`,
    );
    this.variables = variables;
  }
}

/** A variable is set but unusable; the message says what it must be. */
export class InvalidEnvError extends NcpKmsError<"EXAMPLE_ENV_INVALID"> {
  readonly variable: string;
  constructor(variable: string, rule: string) {
    super("EXAMPLE_ENV_INVALID", `${variable} ${rule}`);
    this.variable = variable;
  }
}

/** The start-up check found a key unusable (unknown tag, no permission, not convergent, ...). */
export class KmsKeyCheckError extends NcpKmsError<"EXAMPLE_KMS_KEY_CHECK"> {
  readonly variable: string;
  constructor(variable: string, problem: string, options?: { cause?: unknown }) {
    super("EXAMPLE_KMS_KEY_CHECK", `${variable}: ${problem}`, options);
    this.variable = variable;
  }
}
