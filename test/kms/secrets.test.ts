import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  createKmsClient,
  type KmsClientOptions,
  KmsInvalidResponseError,
  type KmsLogger,
} from "../../src/kms/index.js";
import { bytes, emulatorWithKey } from "./helpers.js";

const PLAINTEXT = "PLAINTEXT-MARKER-4711";
const CONTEXT = "CONTEXT-MARKER-0815";

let emu: RunningEmulator;
let keyTag: string;
let badServer: Server;
let badUrl: string;
const logLines: string[] = [];
const errors: unknown[] = [];
const secrets: string[] = [];

const logger: KmsLogger = {
  debug(message, fields) {
    logLines.push(`${message} ${JSON.stringify(fields)} ${inspect(fields, { depth: 5 })}`);
  },
};

function client(extra: Partial<KmsClientOptions> = {}) {
  const { accessKey, secretKey } = emu.credentials;
  return createKmsClient({
    endpoint: emu.url,
    auth: { type: "signature", accessKey, secretKey },
    logger,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

async function capture(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    errors.push(e);
    return;
  }
  throw new Error("expected a failure");
}

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({}, { keyName: "secret-key" }));
  badServer = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ code: "SUCCESS", data: { unexpected: true } }));
  });
  await new Promise<void>((r) => badServer.listen(0, "127.0.0.1", r));
  badUrl = `http://127.0.0.1:${(badServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await emu.close();
  await new Promise((r) => badServer.close(r));
});

describe("no secret in any log line or error", () => {
  it("runs every failure path with debug logging and finds no secret", async () => {
    const { accessKey, secretKey } = emu.credentials;
    const tokens = await emu.issueTokens(keyTag);
    secrets.push(accessKey, secretKey, tokens.accessToken, tokens.refreshToken);
    secrets.push(
      PLAINTEXT,
      Buffer.from(PLAINTEXT).toString("base64"),
      CONTEXT,
      Buffer.from(CONTEXT).toString("base64"),
    );
    const ctx = { context: CONTEXT };

    const c = client();
    const ct = await c.encrypt(keyTag, PLAINTEXT, ctx);
    // 401: wrong secret key.
    await capture(
      createKmsClient({
        endpoint: emu.url,
        auth: { type: "signature", accessKey, secretKey: `${secretKey}x` },
        logger,
      }).encrypt(keyTag, PLAINTEXT, ctx),
    );
    // 5xx, 429 and dropped connections through every retry.
    emu.faults.failFraction(1, { status: 500 });
    await capture(c.encrypt(keyTag, PLAINTEXT, ctx));
    emu.faults.failFraction(1, { status: 429 });
    await capture(c.decrypt(keyTag, ct, ctx));
    emu.faults.clear();
    emu.faults.dropNext(3);
    await capture(c.encrypt(keyTag, PLAINTEXT, ctx));
    // Timeout.
    emu.faults.setLatency(500);
    await capture(client({ timeoutMs: 20, retry: { retries: 0 } }).encrypt(keyTag, PLAINTEXT, ctx));
    emu.faults.clear();
    // Wrong context, tampered ciphertext (settled), oversized value, unknown key.
    await capture(c.decrypt(keyTag, ct, { context: `${CONTEXT}!` }));
    const settled = await c.decryptManySettled(keyTag, bytes(CONTEXT), [ct, `${ct.slice(0, -4)}AAAA`]);
    for (const s of settled) if (!s.ok) errors.push(s.error);
    await capture(c.encrypt(keyTag, PLAINTEXT.repeat(5000), ctx));
    await capture(c.encrypt("missing-key", PLAINTEXT, ctx));
    // Token auth: revoked token and refresh token.
    const tc = createKmsClient({
      endpoint: emu.url,
      auth: { type: "token", tokens: { [keyTag]: tokens } },
      logger,
    });
    await emu.replaceTokenCreator(keyTag);
    await capture(tc.encrypt(keyTag, PLAINTEXT, ctx));
    // Quota wait timeout.
    const slow = client({ tps: 0.5, maxWaitMs: 10 });
    await Promise.allSettled([
      slow.encrypt(keyTag, "a", { context: "1" }),
      capture(slow.encrypt(keyTag, PLAINTEXT, ctx)),
    ]);
    // A response of the wrong shape.
    const bad = createKmsClient({
      endpoint: badUrl,
      auth: { type: "signature", accessKey, secretKey },
      logger,
    });
    await capture(bad.encrypt(keyTag, PLAINTEXT, ctx));
    expect(errors.at(-1)).toBeInstanceOf(KmsInvalidResponseError);
    // Invalid options carrying secrets.
    try {
      createKmsClient({ auth: { type: "signature", accessKey, secretKey }, endpoint: secretKey });
    } catch (e) {
      errors.push(e);
    }
    await Promise.all([c.close(), tc.close(), slow.close(), bad.close()]);

    const codes = new Set(errors.map((e) => (e as { code?: string }).code));
    for (const code of [
      "KMS_UNAUTHORIZED",
      "KMS_SERVER_ERROR",
      "KMS_THROTTLED",
      "KMS_CONNECTION",
      "KMS_TIMEOUT",
      "KMS_BAD_REQUEST",
      "KMS_VALUE_TOO_LARGE",
      "KMS_NOT_FOUND",
      "KMS_QUOTA_WAIT_TIMEOUT",
      "KMS_INVALID_RESPONSE",
      "KMS_INVALID_OPTION",
    ]) {
      expect(codes).toContain(code);
    }
    expect(logLines.length).toBeGreaterThan(10);

    const rendered = [
      ...logLines,
      ...errors.flatMap((e) => {
        const err = e as Error;
        return [
          err.message,
          String(err.stack),
          JSON.stringify(err),
          inspect(err, { depth: 10, showHidden: true }),
        ];
      }),
    ];
    for (const line of rendered) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});
