import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "keys", ...args], {
      env: {
        ...process.env,
        NCP_KMS_ENDPOINT: emu.url,
        NCP_ACCESS_KEY: emu.credentials.accessKey,
        NCP_SECRET_KEY: emu.credentials.secretKey,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe("prisma-ncp-kms keys", () => {
  it("creates, lists and rotates keys against the emulator (--json)", async () => {
    const created = await cli(["create", "--name", "cli-key", "--convergent", "--json"]);
    expect(created.err).toBe("");
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out) as { keyTag: string; keyName: string; isConvergent: boolean };
    expect(key).toMatchObject({ keyName: "cli-key", isConvergent: true });

    const [listed, rotated] = await Promise.all([
      cli(["list", "--json"]),
      cli(["rotate", "--tag", key.keyTag, "--json"]),
    ]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as Array<{ keyTag: string }>).map((k) => k.keyTag)).toContain(key.keyTag);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.out)).toMatchObject({ keyTag: key.keyTag, version: 2 });

    const text = await cli(["list"]);
    expect(text.out).toContain(`${key.keyTag}  cli-key  AES256`);
  });

  it("fails clearly: missing credentials, bad arguments, KMS errors (no secret printed); --help names the env", async () => {
    const [noCreds, noName, wrong, h] = await Promise.all([
      cli(["list"], { NCP_ACCESS_KEY: "" }),
      cli(["create"]),
      cli(["list"], { NCP_SECRET_KEY: "wrong-secret-value" }),
      cli(["--help"]),
    ]);
    expect(noCreds.code).toBe(2);
    expect(noCreds.err).toContain("NCP_ACCESS_KEY");
    expect(noName.code).toBe(2);
    expect(noName.err).toContain("--name is required");
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("KmsUnauthorizedError");
    expect(wrong.err).not.toContain("wrong-secret-value");
    expect(wrong.err).not.toContain(emu.credentials.accessKey);
    expect(h.code).toBe(0);
    for (const v of ["NCP_KMS_ENDPOINT", "NCP_ACCESS_KEY", "NCP_SECRET_KEY"]) expect(h.out).toContain(v);
  });
});
