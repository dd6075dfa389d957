/**
 * examples/real-ncp: configuration purely from environment variables. Here
 * they point at an emulator on port 0 (its URL, credentials, keys, tokens),
 * which proves the same variables work against NCP KMS.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../examples/real-ncp/config.js";
import { InvalidEnvError, KmsKeyCheckError, MissingEnvError } from "../../examples/real-ncp/errors.js";
import { startRealNcpApp } from "../../examples/real-ncp/main.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createTestDatabase, type TestDatabase, unavailableReason } from "../helpers/databases.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const reason = await unavailableReason("postgresql");
if (reason !== null && process.env.CI === "true") throw new Error(`CI requires PostgreSQL: ${reason}`);

const secretValues = {
  NCP_ACCESS_KEY: `AK-${randomUUID()}`,
  NCP_SECRET_KEY: `SK-${randomUUID()}`,
  NCP_KMS_KEY_DEFAULT: `tag-default-${randomUUID()}`,
  NCP_KMS_KEY_SEARCHABLE: `tag-search-${randomUUID()}`,
};

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("examples/real-ncp config from env", () => {
  it("lists every missing variable when none is set", () => {
    const error = thrown(() => loadConfig({}));
    expect(error).toBeInstanceOf(MissingEnvError);
    expect((error as MissingEnvError).variables).toEqual([
      "NCP_KMS_KEY_DEFAULT",
      "NCP_KMS_KEY_SEARCHABLE",
      "NCP_ACCESS_KEY",
      "NCP_SECRET_KEY",
    ]);
    expect(error.message).toContain("examples/real-ncp/README.md");
  });

  it.each(Object.keys(secretValues))("names %s when only it is missing, and echoes no value", (name) => {
    const env: Record<string, string> = { ...secretValues, [name]: "" };
    const error = thrown(() => loadConfig(env)) as MissingEnvError;
    expect(error.code).toBe("EXAMPLE_ENV_MISSING");
    expect(error.variables).toEqual([name]);
    expect(error.message).toContain(name);
    for (const value of Object.values(secretValues)) expect(error.message).not.toContain(value);
  });

  it("names a variable with an unusable value, without the value", () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ NCP_KMS_TPS: "fast" }, "NCP_KMS_TPS"],
      [{ NCP_KMS_ENDPOINT: "ftp://kms.example" }, "NCP_KMS_ENDPOINT"],
      [{ PORT: "70000" }, "PORT"],
      [{ NCP_KMS_AUTH: "password" }, "NCP_KMS_AUTH"],
      [{ REDIS_URL: "127.0.0.1:6379" }, "REDIS_URL"],
      [{ NCP_KMS_KEY_SEARCHABLE: secretValues.NCP_KMS_KEY_DEFAULT }, "NCP_KMS_KEY_SEARCHABLE"],
    ];
    for (const [override, variable] of cases) {
      const error = thrown(() => loadConfig({ ...secretValues, ...override }));
      expect(error, variable).toBeInstanceOf(InvalidEnvError);
      expect((error as InvalidEnvError).variable).toBe(variable);
      expect(error.message.startsWith(variable)).toBe(true);
      for (const value of [...Object.values(override), ...Object.values(secretValues)]) {
        expect(error.message).not.toContain(value);
      }
    }
  });

  it("defaults: NCP KMS API 2.0 endpoint, signature auth, port 3000, no Redis", () => {
    const config = loadConfig(secretValues);
    expect(config.kms.endpoint).toBe("https://ocapi.ncloud.com");
    expect(config.kms.auth).toEqual({
      type: "signature",
      accessKey: secretValues.NCP_ACCESS_KEY,
      secretKey: secretValues.NCP_SECRET_KEY,
    });
    expect(config.kms.tps).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBeUndefined();
    expect(config.keys).toEqual({
      default: secretValues.NCP_KMS_KEY_DEFAULT,
      searchable: secretValues.NCP_KMS_KEY_SEARCHABLE,
    });
  });

  it("token auth: a token per key, or account credentials to issue one", () => {
    const keys = {
      NCP_KMS_KEY_DEFAULT: secretValues.NCP_KMS_KEY_DEFAULT,
      NCP_KMS_KEY_SEARCHABLE: secretValues.NCP_KMS_KEY_SEARCHABLE,
    };
    const onlyOne = thrown(() =>
      loadConfig({ ...keys, NCP_KMS_ACCESS_TOKEN_DEFAULT: "t1" }),
    ) as MissingEnvError;
    expect(onlyOne.variables).toEqual(["NCP_KMS_ACCESS_TOKEN_SEARCHABLE"]);

    const config = loadConfig({
      ...keys,
      NCP_KMS_ACCESS_TOKEN_DEFAULT: "t1",
      NCP_KMS_REFRESH_TOKEN_DEFAULT: "r1",
      NCP_KMS_ACCESS_TOKEN_SEARCHABLE: "t2",
    });
    expect(config.kms.auth).toEqual({
      type: "token",
      tokens: {
        [keys.NCP_KMS_KEY_DEFAULT]: { accessToken: "t1", refreshToken: "r1" },
        [keys.NCP_KMS_KEY_SEARCHABLE]: { accessToken: "t2", refreshToken: undefined },
      },
    });
    const issuing = loadConfig({ ...secretValues, NCP_KMS_AUTH: "token" });
    expect(issuing.kms.auth).toEqual({
      type: "token",
      tokens: {},
      account: { accessKey: secretValues.NCP_ACCESS_KEY, secretKey: secretValues.NCP_SECRET_KEY },
    });
  });
});

describe.skipIf(reason !== null)(
  `examples/real-ncp against the emulator [postgresql]${reason ? ` — skipped: ${reason}` : ""}`,
  () => {
    let emulator: RunningEmulator;
    let db: TestDatabase;
    let env: Record<string, string>;
    let plainKeyTag: string;

    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
      const defaultKey = await emulator.createKey({ keyName: "real-default" });
      const searchKey = await emulator.createKey({ keyName: "real-search", isConvergent: true });
      plainKeyTag = (await emulator.createKey({ keyName: "real-plain" })).keyTag;
      db = await createTestDatabase("postgresql");
      env = {
        NCP_KMS_ENDPOINT: emulator.url,
        NCP_ACCESS_KEY: emulator.credentials.accessKey,
        NCP_SECRET_KEY: emulator.credentials.secretKey,
        NCP_KMS_KEY_DEFAULT: defaultKey.keyTag,
        NCP_KMS_KEY_SEARCHABLE: searchKey.keyTag,
        DATABASE_URL: db.url,
        PORT: "0",
      };
    });

    afterAll(async () => {
      await emulator?.close();
      await db?.drop();
    });

    async function roundTrip(url: string, email: string): Promise<void> {
      const created = await fetch(`${url}/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, phone: "+82-10-5555-0000" }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const found = await fetch(`${url}/users/by-email?email=${encodeURIComponent(email)}`);
      expect(found.status).toBe(200);
      expect(await found.json()).toMatchObject({ id, email, phone: "+82-10-5555-0000" });
      const [raw] = await db.query(`SELECT email, phone FROM "User" WHERE id = ?`, [id]);
      expect(raw?.email).toMatch(/^ncpkms:v1:/);
      expect(raw?.phone).toMatch(/^ncpkms:v1:/);
    }

    it("signature auth from env: start-up key check, then a request round trip", async () => {
      emulator.resetStats();
      const app = await startRealNcpApp(env);
      try {
        await roundTrip(app.url, "frank@example.com");
      } finally {
        await app.close();
      }
      expect(emulator.stats().byKey[env.NCP_KMS_KEY_SEARCHABLE!]).toBeGreaterThanOrEqual(3);
    });

    it("token auth from env (no account credentials) with the Redis-shared limiter", async () => {
      const tokensDefault = await emulator.issueTokens(env.NCP_KMS_KEY_DEFAULT!);
      const tokensSearch = await emulator.issueTokens(env.NCP_KMS_KEY_SEARCHABLE!);
      const tokenEnv = {
        ...env,
        NCP_ACCESS_KEY: "",
        NCP_SECRET_KEY: "",
        NCP_KMS_ACCESS_TOKEN_DEFAULT: tokensDefault.accessToken,
        NCP_KMS_REFRESH_TOKEN_DEFAULT: tokensDefault.refreshToken,
        NCP_KMS_ACCESS_TOKEN_SEARCHABLE: tokensSearch.accessToken,
        NCP_KMS_REFRESH_TOKEN_SEARCHABLE: tokensSearch.refreshToken,
        REDIS_URL,
      };
      const redis = new Redis(REDIS_URL);
      const app = await startRealNcpApp(tokenEnv);
      try {
        await roundTrip(app.url, "grace@example.com");
        // The limiter's bucket for the key lives in Redis (it expires about 1 s after the last request).
        expect(await redis.exists(`ncpkms:rl:${env.NCP_KMS_KEY_DEFAULT}`)).toBe(1);
      } finally {
        await app.close();
        await redis.quit();
      }
    });

    it("fails at start naming the variable whose key is unusable", async () => {
      const unknown = await startRealNcpApp({ ...env, NCP_KMS_KEY_DEFAULT: "0".repeat(64) }).catch(
        (e: unknown) => e,
      );
      expect(unknown).toBeInstanceOf(KmsKeyCheckError);
      expect((unknown as KmsKeyCheckError).variable).toBe("NCP_KMS_KEY_DEFAULT");
      expect((unknown as Error).message).toContain("KMS_NOT_FOUND");

      const notConvergent = await startRealNcpApp({ ...env, NCP_KMS_KEY_SEARCHABLE: plainKeyTag }).catch(
        (e: unknown) => e,
      );
      expect(notConvergent).toBeInstanceOf(KmsKeyCheckError);
      expect((notConvergent as KmsKeyCheckError).variable).toBe("NCP_KMS_KEY_SEARCHABLE");
      expect((notConvergent as Error).message).toContain("not a convergent key");

      const wrongSecret = await startRealNcpApp({ ...env, NCP_SECRET_KEY: "wrong-secret-value" }).catch(
        (e: unknown) => e,
      );
      expect(wrongSecret).toBeInstanceOf(KmsKeyCheckError);
      expect((wrongSecret as Error).message).toContain("KMS_UNAUTHORIZED");
      expect((wrongSecret as Error).message).not.toContain("wrong-secret-value");
    });
  },
);
