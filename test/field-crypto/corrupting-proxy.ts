/**
 * A real HTTP server in front of the emulator that forwards every request
 * and, when told to, rewrites the ciphertexts of encrypt / re-encrypt
 * responses (the emulator's fault injection can fail or drop a response,
 * not corrupt one). The KMS client talks to it over real HTTP.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How to rewrite one ciphertext; `plaintextB64` is what the request asked to encrypt (encrypt only). */
export type Corruption = (ciphertext: string, plaintextB64: string | undefined) => string;

export const corruptions: Readonly<Record<string, Corruption>> = {
  /** The KMS "forgot" the prefix: bare base64. */
  "no prefix": (c) => c.replace(/^ncpkms:v\d+:/, ""),
  /** Not base64 after the prefix. */
  "bad base64": () => "ncpkms:v1:this is not base64!",
  /** Base64 with a wrong length (not a multiple of 4). */
  "truncated base64": (c) => c.slice(0, -3),
  /** Version 0 does not exist. */
  "version 0": (c) => c.replace(/^ncpkms:v\d+:/, "ncpkms:v0:"),
  /** An empty payload. */
  "empty payload": () => "ncpkms:v1:",
  /** The plaintext echoed back (a KMS bug that would store clear text). */
  "echoed plaintext": (_c, p) => Buffer.from(p ?? "", "base64").toString("utf8"),
  /** An empty string. */
  "empty string": () => "",
};

export interface CorruptingProxy {
  readonly url: string;
  /**
   * Rewrite responses of these actions (`encrypt`, `re-encrypt`) with `corruption`, or stop
   * (`undefined`); the first `spare` matching responses pass untouched.
   */
  corrupt(corruption: Corruption | undefined, actions?: readonly string[], spare?: number): void;
  /** Responses rewritten so far. */
  readonly rewritten: number;
  close(): Promise<void>;
}

export async function startCorruptingProxy(target: string): Promise<CorruptingProxy> {
  const upstream = new URL(target);
  let active: { corruption: Corruption; actions: readonly string[]; spare: number } | undefined;
  let rewritten = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: upstream.host };
      const forward = request(
        { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
        (up) => {
          const parts: Buffer[] = [];
          up.on("data", (c: Buffer) => parts.push(c));
          up.on("end", () => {
            let out = Buffer.concat(parts);
            const action = (req.url ?? "").split("?")[0]?.split("/").at(-1) ?? "";
            const now = active;
            if (now?.actions.includes(action) && up.statusCode === 200) {
              if (now.spare > 0) now.spare--;
              else {
                out = Buffer.from(rewrite(out, body, now.corruption));
                rewritten++;
              }
            }
            const outHeaders = { ...up.headers, "content-length": String(out.length) };
            delete outHeaders["transfer-encoding"];
            res.writeHead(up.statusCode ?? 502, outHeaders);
            res.end(out);
          });
        },
      );
      forward.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    corrupt(corruption, actions = ["encrypt", "re-encrypt"], spare = 0) {
      active = corruption === undefined ? undefined : { corruption, actions, spare };
    },
    get rewritten() {
      return rewritten;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function rewrite(response: Buffer, requestBody: Buffer, corruption: Corruption): string {
  const parsed = JSON.parse(response.toString("utf8")) as { data?: Record<string, unknown> };
  const sent = JSON.parse(requestBody.toString("utf8") || "{}") as { plaintext?: unknown };
  const data = parsed.data ?? {};
  for (const field of ["ciphertext", "newCiphertext"]) {
    const value = data[field];
    if (typeof value === "string") {
      data[field] = corruption(value, typeof sent.plaintext === "string" ? sent.plaintext : undefined);
    } else if (Array.isArray(value)) {
      const plaintexts = Array.isArray(sent.plaintext) ? sent.plaintext : [];
      data[field] = value.map((c, i) => corruption(String(c), plaintexts[i] as string | undefined));
    }
  }
  return JSON.stringify(parsed);
}
