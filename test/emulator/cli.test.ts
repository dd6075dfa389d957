import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { b64, call, v2 } from "./sign.js";

describe("prisma-ncp-kms emulator (CLI)", () => {
  it("prints URL, credentials and env lines, serves requests, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "emulator",
        "--port",
        "0",
        "--tps-v2",
        "50",
        "--create-key",
        "users:convergent",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.setEncoding("utf8");
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        if (/Keys:\n.*\n/.test(out)) resolve();
      });
      child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    try {
      await ready;
      const env = Object.fromEntries(
        out
          .split("\n")
          .filter((line) => /^NCP_[A-Z_]+=/.test(line))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      expect(Object.keys(env).sort()).toEqual([
        "NCP_ACCESS_KEY",
        "NCP_API_GATEWAY_KEY",
        "NCP_KMS_ENDPOINT",
        "NCP_KMS_KEYS",
        "NCP_SECRET_KEY",
      ]);
      const keyTag = /users\s+([0-9a-f]{64})\s+AES256 convergent/.exec(out)?.[1];
      expect(keyTag).toBeDefined();
      expect(env.NCP_KMS_KEYS).toBe(`users=${keyTag}`);
      const emulator = {
        url: env.NCP_KMS_ENDPOINT!,
        credentials: {
          accessKey: env.NCP_ACCESS_KEY!,
          secretKey: env.NCP_SECRET_KEY!,
          apiGatewayKey: env.NCP_API_GATEWAY_KEY!,
        },
      };
      const res = await call(emulator, v2(keyTag!, "encrypt"), {
        body: { plaintext: b64("x"), context: b64("c") },
      });
      expect(res.status).toBe(200);
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
      expect(out).toContain("NCP KMS emulator stopped.");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 30_000);

  it("exits 1 on an unknown option", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "emulator", "--bogus"], {
      stdio: "ignore",
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
  }, 30_000);
});
