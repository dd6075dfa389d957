import { NcpKmsError } from "../errors.js";

/** One thing wrong with the schema's encryption annotations. */
export interface SchemaProblem {
  /** `"Model.field"`, or `"Model"` for a model-level problem. */
  readonly location: string;
  /** What is wrong, e.g. `@encrypted on Int (supported: String, Json, Bytes)`. */
  readonly message: string;
}

/**
 * The schema's `@encrypted` annotations are wrong. Every problem found is
 * collected here at once (not just the first), one line each, as
 * `Model.field: what is wrong`. Thrown by `buildEncryptionMap` and so by the
 * generator, which makes `prisma generate` fail.
 */
export class SchemaAnnotationError extends NcpKmsError {
  /** Every problem, in schema order. */
  readonly problems: readonly SchemaProblem[];

  constructor(problems: readonly SchemaProblem[]) {
    const lines = problems.map((p) => `  - ${p.location}: ${p.message}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(
      "SCHEMA_INVALID_ANNOTATION",
      `Invalid @encrypted annotations in the Prisma schema (${count}):\n${lines.join("\n")}`,
    );
    this.problems = problems;
  }
}
