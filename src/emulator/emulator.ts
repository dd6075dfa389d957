import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { ADMIN_PREFIX, type AdminTarget, handleAdminRequest } from "./admin-routes.js";
import { createStateWriter, readState, type StoredState } from "./data-file.js";
import { invalidStatus } from "./errors.js";
import { FaultInjector } from "./faults.js";
import { sendError } from "./http-io.js";
import { Keystore, keyInfo } from "./keystore.js";
import { handleKmsRequest, type KmsContext } from "./kms-handler.js";
import { resolveOptions } from "./options.js";
import { Quotas } from "./quota.js";
import { StatsCounter } from "./stats.js";
import { type SigningKeys, TokenService } from "./tokens.js";
import type { EmulatorCredentials, EmulatorOptions, RunningEmulator } from "./types.js";

const generateKeyPairAsync = promisify(generateKeyPair);

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
function randomKey(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join("");
}

function pickCredentials(
  given: Partial<EmulatorCredentials> | undefined,
  stored: EmulatorCredentials | undefined,
): EmulatorCredentials {
  return {
    accessKey: given?.accessKey ?? stored?.accessKey ?? randomKey(20),
    secretKey: given?.secretKey ?? stored?.secretKey ?? randomKey(40),
    apiGatewayKey: given?.apiGatewayKey ?? stored?.apiGatewayKey ?? randomKey(40),
  };
}

/** The token signing key pair: the stored one, or a new one generated once, on first use. */
function lazySigningKeys(storedPem: string | undefined): () => Promise<SigningKeys> {
  let keys: Promise<SigningKeys> | undefined;
  if (storedPem !== undefined) {
    const privateKey = createPrivateKey(storedPem);
    keys = Promise.resolve({ privateKey, publicKey: createPublicKey(privateKey) });
  }
  return () => {
    keys ??= generateKeyPairAsync("rsa", { modulusLength: 2048 });
    return keys;
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts a local NCP KMS emulator that speaks the HTTP API in CONTRACT.md.
 *
 * @example
 * ```ts
 * const kms = await startEmulator();
 * const key = await kms.createKey({ keyName: "users", isConvergent: true });
 * // point the client at kms.url with kms.credentials ...
 * await kms.close();
 * ```
 */
export async function startEmulator(options?: EmulatorOptions): Promise<RunningEmulator> {
  const opts = resolveOptions(options);
  const stored = opts.dataDir !== undefined ? await readState(opts.dataDir) : undefined;
  const credentials = pickCredentials(opts.credentials, stored?.credentials);
  const signingKeys = lazySigningKeys(stored?.tokenSigningKeyPem);

  let save: () => Promise<void> = async () => {};
  const keystore = new Keystore(opts.now, () => save());
  if (stored !== undefined) keystore.load(stored.keys);
  if (opts.dataDir !== undefined) {
    // Persisted state includes the signing key, so it is needed now.
    const signing = await signingKeys();
    const snapshot = (): StoredState => ({
      format: 1,
      credentials,
      tokenSigningKeyPem: signing.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      keys: keystore.toStored(),
    });
    save = createStateWriter(opts.dataDir, snapshot);
    await save();
  }

  const stats = new StatsCounter();
  const faults = new FaultInjector(opts.latencyMs);
  const quotas = new Quotas(opts.tpsV1, opts.tpsV2, () => performance.now());
  const tokens = new TokenService(signingKeys, opts.now);
  const ctx: KmsContext = {
    credentials,
    keystore,
    tokens,
    quotas,
    faults,
    stats,
    now: opts.now,
    clockSkewMs: opts.clockSkewMs,
    maxBodyBytes: opts.maxBodyBytes,
  };

  const control: AdminTarget = {
    async createKey({ keyName, keyType = "AES256", isConvergent = false }) {
      const key = await keystore.create({
        keyName,
        keyType,
        isConvergent,
        isAutoRotation: false,
        rotationPeriod: null,
        protectionType: "BASIC",
        memo: "",
      });
      return keyInfo(key);
    },
    listKeys: () => keystore.list().map(keyInfo),
    async rotateKey(keyTag) {
      return { keyTag, version: (await keystore.rotate(keyTag)).version };
    },
    async setKeyEnabled(keyTag, enabled) {
      await keystore.setEnabled(keyTag, enabled);
    },
    replaceTokenCreator: (keyTag) => keystore.replaceTokenCreator(keyTag),
    disableTokenCreator: (keyTag) => keystore.disableTokenCreator(keyTag),
    async issueTokens(keyTag, ttl = {}) {
      const key = keystore.get(keyTag);
      const creator = key.tokenCreatorId;
      if (creator === null) throw invalidStatus("the key's token creator is disabled");
      return {
        accessToken: await tokens.issue(key, creator, "ACCESS", ttl.accessTtlSeconds ?? 72 * 3600),
        refreshToken: await tokens.issue(key, creator, "REFRESH", ttl.refreshTtlSeconds ?? 2160 * 3600),
      };
    },
    setIpAcl: (keyTag, acl) => keystore.setIpAcl(keyTag, acl),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    faults,
    setQuota: (quota) => quotas.set(quota),
  };

  const server = createServer((req, res) => {
    const isAdmin = (req.url ?? "").startsWith(ADMIN_PREFIX);
    const work =
      isAdmin && opts.admin ? handleAdminRequest(control, req, res) : handleKmsRequest(ctx, req, res);
    // Last resort: the handlers catch their own errors; this keeps a bug from
    // becoming an unhandled rejection that kills the process.
    work.catch((error: unknown) => sendError(res, error));
  });
  // Longer than clients' idle timeouts, so a client never reuses a socket the
  // server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  const address = await listen(server, opts.port, opts.host);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    credentials: { ...credentials },
    ...control,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => save());
      return closing;
    },
  };
}
