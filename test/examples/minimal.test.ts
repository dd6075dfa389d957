/**
 * examples/minimal: the script runs end to end on SQLite, against its own
 * in-process emulator and against a KMS given by NCP_* variables.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../examples/minimal/main.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";

describe("examples/minimal", () => {
  it("writes a user: the app reads plaintext, the SQLite file holds KMS ciphertext", async () => {
    const lines: string[] = [];
    const result = await main({ env: {}, print: (line) => lines.push(line) });

    expect(result.kms).toBe("emulator");
    expect(result.appSees).toMatchObject({
      email: "alice@example.com",
      name: "Alice",
      phone: "+82-10-1234-5678",
    });
    expect(result.dbHolds.id).toBe(result.appSees.id);
    expect(result.dbHolds.email).toMatch(/^ncpkms:v1:[A-Za-z0-9+/=]+$/);
    expect(result.dbHolds.phone).toMatch(/^ncpkms:v1:[A-Za-z0-9+/=]+$/);
    expect(result.dbHolds.email).not.toContain("alice");
    // `name` is not marked in schema.prisma: stored as it is.
    expect(result.dbHolds.name).toBe("Alice");

    const output = lines.join("\n");
    expect(output).toContain("email alice@example.com");
    expect(output).toContain(`email ${result.dbHolds.email}`);
    expect(output).toContain(`phone ${result.dbHolds.phone}`);
  });

  describe("with NCP_* variables", () => {
    let emulator: RunningEmulator;
    let env: Record<string, string>;

    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
      const defaultKey = await emulator.createKey({ keyName: "min-default" });
      const searchKey = await emulator.createKey({ keyName: "min-search", isConvergent: true });
      env = {
        NCP_KMS_ENDPOINT: emulator.url,
        NCP_ACCESS_KEY: emulator.credentials.accessKey,
        NCP_SECRET_KEY: emulator.credentials.secretKey,
        NCP_KMS_KEY_DEFAULT: defaultKey.keyTag,
        NCP_KMS_KEY_SEARCHABLE: searchKey.keyTag,
      };
    });
    afterAll(() => emulator.close());

    it("uses the KMS and keys the variables name", async () => {
      const result = await main({ env, print: () => {} });
      expect(result.kms).toBe("env");
      expect(result.appSees.email).toBe("alice@example.com");
      expect(result.dbHolds.email).toMatch(/^ncpkms:v1:/);
      const byKey = emulator.stats().byKey;
      expect(byKey[env.NCP_KMS_KEY_DEFAULT!]).toBeGreaterThan(0);
      expect(byKey[env.NCP_KMS_KEY_SEARCHABLE!]).toBeGreaterThan(0);
    });

    it("names the missing variables, and never echoes a set one", async () => {
      const partial = { NCP_KMS_ENDPOINT: env.NCP_KMS_ENDPOINT!, NCP_ACCESS_KEY: env.NCP_ACCESS_KEY! };
      const error = await main({ env: partial, print: () => {} }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain("NCP_SECRET_KEY, NCP_KMS_KEY_DEFAULT, NCP_KMS_KEY_SEARCHABLE");
      expect(error?.message).not.toContain(env.NCP_ACCESS_KEY!);
    });
  });
});
