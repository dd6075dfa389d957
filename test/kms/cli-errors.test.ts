/**
 * The CLI prints every error with its cause chain (names, codes, messages),
 * never a secret: the reason behind a wrapper error is not dropped.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatErrorChain, maskUrlCredentials } from "../../src/cli/error-report.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { KmsUnauthorizedError } from "../../src/kms/index.js";
import { MigrateKeyProbeError } from "../../src/migrate/errors.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, err }));
  });
}

describe("CLI error output", () => {
  it("a wrapper error is printed with its cause (codes and messages)", () => {
    const cause = new KmsUnauthorizedError({ action: "get-key", keyTag: "k1", status: 401, attempts: 1 });
    const text = formatErrorChain(new MigrateKeyProbeError("default", cause));
    expect(text.split("\n")).toEqual([
      "MigrateKeyProbeError [MIGRATE_KEY_PROBE_FAILED]: Could not determine the newest version of key 'default'",
      "  caused by: KmsUnauthorizedError [KMS_UNAUTHORIZED]: KMS rejected the credentials (action=get-key, keyTag=k1, status=401, attempts=1)",
    ]);
  });

  it("masks credentials in URLs of foreign errors and stops on a cause cycle", () => {
    expect(maskUrlCredentials("connect to postgresql://app:s3cret@db:5432/x failed")).toBe(
      "connect to postgresql://app:***@db:5432/x failed",
    );
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(formatErrorChain(b).split("\n")).toHaveLength(2);
  });

  it("keys list with a wrong secret: typed code on stderr, the secret nowhere", async () => {
    const secret = "wrong-secret-value-123";
    const { code, err } = await cli(["keys", "list"], {
      NCP_KMS_ENDPOINT: emu.url,
      NCP_ACCESS_KEY: emu.credentials.accessKey,
      NCP_SECRET_KEY: secret,
    });
    expect(code).toBe(1);
    expect(err).toContain("KmsUnauthorizedError [KMS_UNAUTHORIZED]: KMS rejected the credentials");
    expect(err).not.toContain(secret);
  });

  it("keys list against a refused port: the socket cause is printed under the KMS error", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { code, err } = await cli(["keys", "list"], {
      NCP_KMS_ENDPOINT: `http://127.0.0.1:${port}`,
      NCP_ACCESS_KEY: emu.credentials.accessKey,
      NCP_SECRET_KEY: emu.credentials.secretKey,
    });
    expect(code).toBe(1);
    expect(err).toContain("KmsConnectionError [KMS_CONNECTION]: KMS connection failed");
    expect(err).toMatch(/\n {2}caused by: \w*Error \[ECONNREFUSED\]: connect ECONNREFUSED/);
    expect(err).not.toContain(emu.credentials.secretKey);
  });
});
