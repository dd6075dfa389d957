import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { b64, call, unb64, v2 } from "./sign.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ncp-kms-emulator-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("persistence with dataDir", () => {
  it("a restarted emulator keeps keys, versions, credentials, token creators, ACLs and token validity", async () => {
    const ctx = b64("users.ssn");
    const first = await startEmulator({ dataDir: dir });
    const aes = await first.createKey({ keyName: "p-aes" });
    const conv = await first.createKey({ keyName: "p-conv", isConvergent: true });
    const rsa = await first.createKey({ keyName: "p-rsa", keyType: "RSA2048" });
    const oldAes = (await call(first, v2(aes.keyTag, "encrypt"), { body: { plaintext: b64("v1 data") } }))
      .json.data!.ciphertext as string;
    await first.rotateKey(aes.keyTag);
    const newAes = (await call(first, v2(aes.keyTag, "encrypt"), { body: { plaintext: b64("v2 data") } }))
      .json.data!.ciphertext as string;
    const convCt = (
      await call(first, v2(conv.keyTag, "encrypt"), { body: { plaintext: b64("c"), context: ctx } })
    ).json.data!.ciphertext as string;
    const rsaCt = (await call(first, v2(rsa.keyTag, "encrypt"), { body: { plaintext: b64("r") } })).json.data!
      .ciphertext as string;
    const revoked = await first.issueTokens(aes.keyTag);
    await first.replaceTokenCreator(aes.keyTag);
    const live = await first.issueTokens(aes.keyTag);
    await first.setIpAcl(conv.keyTag, { enabled: true, allow: ["10.1.0.0/16"] });
    await first.setKeyEnabled(rsa.keyTag, false);
    const credentials = first.credentials;
    await first.close();

    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const [dataFile] = files;
    expect(((await stat(join(dir, dataFile!))).mode & 0o777).toString(8)).toBe("600");

    const second = await startEmulator({ dataDir: dir });
    try {
      expect(second.credentials).toEqual(credentials);
      expect(second.listKeys().map((k) => [k.keyName, k.version, k.status])).toEqual([
        ["p-aes", 2, "ENABLED"],
        ["p-conv", 1, "ENABLED"],
        ["p-rsa", 1, "DISABLED"],
      ]);
      const dec = await call(second, v2(aes.keyTag, "decrypt"), { body: { ciphertext: [oldAes, newAes] } });
      expect((dec.json.data!.plaintext as string[]).map(unb64)).toEqual(["v1 data", "v2 data"]);
      // Convergent determinism survives the restart.
      const again = await call(second, v2(conv.keyTag, "encrypt"), {
        body: { plaintext: b64("c"), context: ctx },
      });
      expect(again.json.data!.ciphertext).toBe(convCt);
      await second.setKeyEnabled(rsa.keyTag, true);
      const rsaDec = await call(second, v2(rsa.keyTag, "decrypt"), { body: { ciphertext: rsaCt } });
      expect(unb64(rsaDec.json.data!.plaintext)).toBe("r");
      const tokenEncrypt = (token: string) =>
        call(second, v2(aes.keyTag, "encrypt"), {
          auth: { kind: "token", token },
          body: { plaintext: b64("t") },
        });
      expect((await tokenEncrypt(live.accessToken)).status).toBe(200);
      expect((await tokenEncrypt(revoked.accessToken)).status).toBe(401);
      const convToken = await second.issueTokens(conv.keyTag);
      const acl = await call(second, v2(conv.keyTag, "encrypt"), {
        auth: { kind: "token", token: convToken.accessToken },
        body: { plaintext: b64("t"), context: ctx },
      });
      expect(acl.status).toBe(403);
    } finally {
      await second.close();
    }
  });

  it("fixed credentials override stored ones", async () => {
    const emu = await startEmulator({ dataDir: dir, credentials: { accessKey: "FIXEDACCESSKEY000000" } });
    try {
      expect(emu.credentials.accessKey).toBe("FIXEDACCESSKEY000000");
      const tag = emu.listKeys()[0]!.keyTag;
      expect((await call(emu, v2(tag, "encrypt"), { body: { plaintext: b64("x") } })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it("refuses a corrupt data file with EMULATOR_DATA_FILE", async () => {
    const bad = await mkdtemp(join(tmpdir(), "ncp-kms-emulator-bad-"));
    try {
      await writeFile(join(bad, "ncp-kms-emulator.json"), "{ not json");
      await expect(startEmulator({ dataDir: bad })).rejects.toMatchObject({ code: "EMULATOR_DATA_FILE" });
      await writeFile(join(bad, "ncp-kms-emulator.json"), JSON.stringify({ format: 2 }));
      await expect(startEmulator({ dataDir: bad })).rejects.toMatchObject({ code: "EMULATOR_DATA_FILE" });
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it("in-memory mode writes nothing and forgets keys", async () => {
    const a = await startEmulator();
    await a.createKey({ keyName: "gone" });
    await a.close();
    const b = await startEmulator();
    expect(b.listKeys()).toEqual([]);
    await b.close();
  });

  it("rejects invalid options with a message naming the option", async () => {
    await expect(startEmulator({ tpsV2: 0 })).rejects.toThrow(/tpsV2/);
    await expect(startEmulator({ port: -1 })).rejects.toMatchObject({ code: "EMULATOR_INVALID_OPTION" });
  });
});
