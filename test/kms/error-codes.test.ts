/**
 * `NcpKmsErrorCode`: one union of every code, so apps switch on `code` with
 * type checking. The type assertions are checked by `tsc` (npm run lint);
 * the runtime part checks that the KMS client's errors carry listed codes.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { isNcpKmsError, type KmsErrorCode, NcpKmsError, type NcpKmsErrorCode } from "../../src/errors.js";
import type { DecryptionFailedError } from "../../src/extension/errors.js";
import {
  errorForStatus,
  KmsConnectionError,
  type KmsError,
  KmsInvalidOptionError,
  KmsLimiterUnavailableError,
  KmsResponseTooLargeError,
  KmsThrottledError,
} from "../../src/kms/index.js";
import type { MigrateInvalidOptionError } from "../../src/migrate/errors.js";

/** What an app writes: exhaustive handling, checked by the compiler. */
function advice(code: NcpKmsErrorCode): string {
  switch (code) {
    case "KMS_THROTTLED":
    case "KMS_QUOTA_WAIT_TIMEOUT":
      return "retry later";
    case "KMS_LIMITER_UNAVAILABLE":
      return "shared limiter down";
    case "KMS_UNAUTHORIZED":
    case "KMS_FORBIDDEN":
      return "credentials";
    default:
      return "other";
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled ${String(value)}`);
}

/** Exhaustive over the KMS client's codes: adding a code without handling it fails to compile. */
function isTransient(code: KmsErrorCode): boolean {
  switch (code) {
    case "KMS_THROTTLED":
    case "KMS_SERVER_ERROR":
    case "KMS_TIMEOUT":
    case "KMS_CONNECTION":
    case "KMS_QUOTA_WAIT_TIMEOUT":
    case "KMS_LIMITER_UNAVAILABLE":
      return true;
    case "KMS_UNAUTHORIZED":
    case "KMS_FORBIDDEN":
    case "KMS_NOT_FOUND":
    case "KMS_BAD_REQUEST":
    case "KMS_INVALID_STATUS":
    case "KMS_INVALID_RESPONSE":
    case "KMS_RESPONSE_TOO_LARGE":
    case "KMS_VALUE_TOO_LARGE":
    case "KMS_INVALID_OPTION":
      return false;
    default:
      return assertNever(code);
  }
}

describe("NcpKmsErrorCode", () => {
  it("types `code` as the union, after isNcpKmsError too", () => {
    expectTypeOf<NcpKmsError["code"]>().toEqualTypeOf<NcpKmsErrorCode>();
    expectTypeOf<KmsError["code"]>().toEqualTypeOf<KmsErrorCode>();
    expectTypeOf<KmsErrorCode>().toMatchTypeOf<NcpKmsErrorCode>();
    expectTypeOf<DecryptionFailedError["code"]>().toMatchTypeOf<NcpKmsErrorCode>();
    expectTypeOf<MigrateInvalidOptionError["code"]>().toMatchTypeOf<NcpKmsErrorCode>();
    const unknownError: unknown = new KmsThrottledError({ action: "encrypt" });
    if (isNcpKmsError(unknownError)) {
      expectTypeOf(unknownError.code).toEqualTypeOf<NcpKmsErrorCode>();
      // @ts-expect-error a misspelt code is a compile error
      expect(unknownError.code === "KMS_THROTLED").toBe(false);
      expect(advice(unknownError.code)).toBe("retry later");
    }
  });

  it("the library's constructors only take listed codes; apps name their own", () => {
    class LibraryStyleError extends NcpKmsError {
      constructor() {
        // @ts-expect-error a subclass without a type argument may only use listed codes
        super("NOT_A_CODE", "x");
      }
    }
    expect(new LibraryStyleError().code).toBe("NOT_A_CODE");
    class AppError extends NcpKmsError<"APP_SPECIFIC"> {}
    expectTypeOf<AppError["code"]>().toEqualTypeOf<"APP_SPECIFIC">();
    expect(isNcpKmsError(new AppError("APP_SPECIFIC", "mine"))).toBe(true);
  });

  it("the KMS client's errors carry the codes the union lists", () => {
    const errors: KmsError[] = [
      ...[400, 401, 403, 404, 422, 429, 500].map((status) => errorForStatus(status, { action: "encrypt" })),
      new KmsConnectionError({ action: "encrypt" }),
      new KmsLimiterUnavailableError({ action: "encrypt" }),
      new KmsResponseTooLargeError({ action: "encrypt", limitBytes: 1 }),
    ];
    expect(errors.map((e) => e.code)).toEqual([
      "KMS_BAD_REQUEST",
      "KMS_UNAUTHORIZED",
      "KMS_FORBIDDEN",
      "KMS_NOT_FOUND",
      "KMS_INVALID_STATUS",
      "KMS_THROTTLED",
      "KMS_SERVER_ERROR",
      "KMS_CONNECTION",
      "KMS_LIMITER_UNAVAILABLE",
      "KMS_RESPONSE_TOO_LARGE",
    ]);
    expect(errors.map((e) => isTransient(e.code))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(new KmsInvalidOptionError("tps", "bad").code).toBe("KMS_INVALID_OPTION");
  });
});
