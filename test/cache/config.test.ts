/** The extension's `cache` option: checked at construction with the other settings. */
import { describe, expect, it } from "vitest";
import { createKmsCache, EncryptionConfigError, ncpKmsEncryption } from "../../src/index.js";
import { map } from "../extension/setup.js";
import { fakeKms } from "./fake-kms.js";

const keys = { default: "k1", searchable: "k2", archive: "k3" };

describe("ncpKmsEncryption({ cache })", () => {
  it("is exported from the package entry, and accepts false, options, or a shared KmsCache", () => {
    const kms = fakeKms();
    expect(() => ncpKmsEncryption({ map, kms, keys, cache: false })).not.toThrow();
    expect(() => ncpKmsEncryption({ map, kms, keys, cache: { ttlMs: 5_000, maxBytes: 1024 } })).not.toThrow();
    expect(() => ncpKmsEncryption({ map, kms, keys, cache: createKmsCache() })).not.toThrow();
    expect(() => ncpKmsEncryption({ map, kms, keys })).not.toThrow();
  });

  it("refuses a wrong cache setting, naming it", () => {
    const kms = fakeKms();
    for (const cache of [true, { ttlMs: -5 }, { maxBytes: "16MB" }, "on"]) {
      const error = (() => {
        try {
          ncpKmsEncryption({ map, kms, keys, cache: cache as never });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(EncryptionConfigError);
      expect((error as Error).message).toContain("cache");
    }
  });
});
