/**
 * A throwing `onEvent` listener or `logger` never changes an outcome: a call
 * that succeeded on the server reports success, a failing call reports its own
 * KMS error, and the hook's exception is reported once as an `error` event.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { KmsBadRequestError, type KmsEvent, type KmsLogger } from "../../src/kms/index.js";
import { clientFor, emulatorWithKey, text } from "./helpers.js";

let emu: RunningEmulator;
let keyTag: string;

beforeAll(async () => {
  ({ emu, keyTag } = await emulatorWithKey({}, { keyName: "hook-key" }));
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetStats();
  emu.faults.clear();
});

const throwingListener = () => {
  throw new Error("listener broke");
};
const throwingLogger: KmsLogger = {
  debug() {
    throw new Error("logger broke");
  },
};

function hookErrors(events: KmsEvent[]) {
  return events.filter((e): e is Extract<KmsEvent, { type: "error" }> => e.type === "error");
}

describe("a throwing listener or logger", () => {
  it("does not fail a successful encrypt/decrypt; reported once as an error event", async () => {
    const client = clientFor(emu, { onEvent: throwingListener, logger: throwingLogger });
    const seen: KmsEvent[] = [];
    client.on((e) => seen.push(e));
    const ct = await client.encrypt(keyTag, "payload");
    expect(text(await client.decrypt(keyTag, ct))).toBe("payload");
    const errors = hookErrors(seen);
    expect(errors.map((e) => e.source).sort()).toEqual(["listener", "logger"]);
    expect(errors.map((e) => (e.error as Error).message).sort()).toEqual(["listener broke", "logger broke"]);
    await client.close();
  });

  it("rotateKey that succeeded on the server reports success, once", async () => {
    const client = clientFor(emu, { onEvent: throwingListener, logger: throwingLogger });
    const { keyTag: tag } = await emu.createKey({ keyName: "rot-hook" });
    const rotated = await client.rotateKey(tag);
    expect(rotated.version).toBe(2);
    expect(emu.listKeys().find((k) => k.keyTag === tag)?.version).toBe(2);
    expect(emu.stats().byAction.rotate).toBe(1);
    await client.close();
  });

  it("createKey that succeeded on the server reports success", async () => {
    const client = clientFor(emu, { onEvent: throwingListener, logger: throwingLogger });
    const key = await client.createKey({ keyName: "made-by-hook" });
    expect(key.keyName).toBe("made-by-hook");
    expect(emu.listKeys().filter((k) => k.keyName === "made-by-hook")).toHaveLength(1);
    await client.close();
  });

  it("a failing call reports its own KMS error, not the hook's", async () => {
    const client = clientFor(emu, { onEvent: throwingListener, logger: throwingLogger });
    const error = await client.decrypt(keyTag, "ncpkms:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA").catch((e) => e);
    expect(error).toBeInstanceOf(KmsBadRequestError);
    await client.close();
  });

  it("retries still happen when the listener throws on the retry event", async () => {
    const client = clientFor(emu, { onEvent: throwingListener });
    emu.faults.failNext(2, { status: 503 });
    expect(text(await client.decrypt(keyTag, await client.encrypt(keyTag, "again")))).toBe("again");
    expect(client.counters().retries).toBe(2);
    await client.close();
  });

  it("a throwing listener with no other listener is reported once through the logger", async () => {
    const lines: Array<[string, Record<string, unknown>]> = [];
    const client = clientFor(emu, {
      onEvent: throwingListener,
      logger: { debug: (message, fields) => lines.push([message, fields]) },
    });
    await client.encrypt(keyTag, "a");
    await client.encrypt(keyTag, "b");
    const reports = lines.filter(([m]) => m.includes("listener threw"));
    expect(reports).toEqual([
      [
        "kms onEvent listener threw (reported once)",
        { source: "listener", name: "Error", message: "listener broke" },
      ],
    ]);
    await client.close();
  });

  it("a listener that throws on the error event itself does not loop or fail the call", async () => {
    const client = clientFor(emu, { logger: throwingLogger });
    let calls = 0;
    client.on(() => {
      calls++;
      throw new Error("also broke");
    });
    await client.encrypt(keyTag, "x");
    await client.encrypt(keyTag, "y");
    // Two request events plus one error event (for the logger's first failure); no recursion.
    expect(calls).toBe(3);
    await client.close();
  });
});
