/**
 * The array crypto actions (encrypt, decrypt, re-encrypt): values from
 * concurrent callers are coalesced per (action, key tag, context), packed into
 * requests under the byte and item limits, sent in parallel, and each caller
 * gets exactly its own results. Bad ciphertexts are isolated by splitting, so
 * they fail only their own caller.
 */
import { type Chunk, OversizedItem, planChunks } from "./chunk.js";
import { Coalescer, type Scheduler } from "./coalescer.js";
import { ciphertextPayloadBytes, fromBase64, isCiphertextShaped, toBase64 } from "./codec.js";
import { KmsBadRequestError, KmsInvalidResponseError, KmsValueTooLargeError } from "./errors.js";
import type { KmsCounters } from "./events.js";
import { sendIsolating } from "./settle.js";
import type { Settled } from "./types.js";

export type ArrayAction = "encrypt" | "decrypt" | "re-encrypt";

/** A coalescing group: one action on one key with one context. */
export interface Group {
  action: ArrayAction;
  keyTag: string;
  /** Base64 context, or `undefined`. */
  context: string | undefined;
}

/** One value on the wire (base64 plaintext or ciphertext) and its size for chunking. */
interface Item {
  wire: string;
  size: number;
}

/** Sends one array request and returns the response array (any length; checked here). */
export type SendArray = (group: Group, wires: readonly string[]) => Promise<unknown>;

export interface BatchOptions {
  maxRequestBytes: number;
  maxItemsPerRequest: number;
  maxIsolationRequests: number;
  coalesceWindowMs: number;
  maxBatchSize: number;
  scheduler: Scheduler;
  counters: KmsCounters;
  send: SendArray;
}

export interface ArrayCrypto {
  run(group: Group, values: readonly (Uint8Array | string)[]): Promise<Array<Settled<string | Uint8Array>>>;
}

export function createArrayCrypto(options: BatchOptions): ArrayCrypto {
  async function sendChunk(group: Group, items: readonly Item[]): Promise<string[]> {
    const result = await options.send(
      group,
      items.map((i) => i.wire),
    );
    if (
      !Array.isArray(result) ||
      result.length !== items.length ||
      result.some((r) => typeof r !== "string")
    ) {
      throw new KmsInvalidResponseError(
        { action: group.action, keyTag: group.keyTag },
        `expected an array of ${items.length} strings`,
      );
    }
    options.counters.values += items.length;
    if (group.action !== "re-encrypt") {
      options.counters.bytes +=
        group.action === "encrypt"
          ? items.reduce((n, i) => n + i.size, 0)
          : (result as string[]).reduce((n, r) => n + Math.floor((r.length * 3) / 4), 0);
    }
    return result as string[];
  }

  async function runBatch(group: Group, items: readonly Item[]): Promise<Array<Settled<string>>> {
    // Decrypt sizes are upper bounds (payload includes IV and tag); a lone oversized one still goes alone.
    const sizes = items.map((i) => Math.min(i.size, options.maxRequestBytes));
    const chunks = planChunks(sizes, options.maxRequestBytes, options.maxItemsPerRequest) as Chunk[];
    const out = new Array<Settled<string>>(items.length);
    // Encrypt errors are never caused by one plaintext (sizes are checked up front), so never split those.
    const budget = { remaining: group.action === "encrypt" ? 0 : options.maxIsolationRequests };
    await Promise.all(
      chunks.map(async (chunk) => {
        const settled = await sendIsolating(
          chunk.map((i) => items[i]!),
          (sub) => sendChunk(group, sub),
          budget,
        );
        settled.forEach((s, k) => {
          out[chunk[k]!] = s;
        });
      }),
    );
    return out;
  }

  const coalescer = new Coalescer<Group, Item, string>({
    windowMs: options.coalesceWindowMs,
    maxBatchSize: options.maxBatchSize,
    scheduler: options.scheduler,
    run: runBatch,
  });

  return {
    async run(group, values) {
      const details = { action: group.action, keyTag: group.keyTag };
      const items: Item[] = [];
      const local = new Map<number, Settled<string | Uint8Array>>();
      const sent: number[] = [];
      if (group.action === "encrypt") {
        const sizes = values.map((v) => (v as Uint8Array).byteLength);
        const planned = planChunks(sizes, options.maxRequestBytes, Number.POSITIVE_INFINITY);
        if (planned instanceof OversizedItem) {
          throw new KmsValueTooLargeError({
            ...details,
            sizeBytes: planned.sizeBytes,
            limitBytes: options.maxRequestBytes,
          });
        }
        values.forEach((v, i) => {
          items.push({ wire: toBase64(v as Uint8Array), size: sizes[i]! });
          sent.push(i);
        });
      } else {
        values.forEach((v, i) => {
          const c = v as string;
          if (typeof c !== "string" || !isCiphertextShaped(c)) {
            local.set(i, {
              ok: false,
              error: new KmsBadRequestError(
                { ...details, attempts: 0 },
                "not an ncpkms:v<N>:<base64> ciphertext",
              ),
            });
            return;
          }
          items.push({ wire: c, size: ciphertextPayloadBytes(c) });
          sent.push(i);
        });
      }
      const key = `${group.action}\u0000${group.keyTag}\u0000${group.context ?? ""}`;
      const settled = await coalescer.submit(key, group, items);
      const out = new Array<Settled<string | Uint8Array>>(values.length);
      for (const [i, s] of local) out[i] = s;
      settled.forEach((s, k) => {
        out[sent[k]!] = s.ok && group.action === "decrypt" ? { ok: true, value: fromBase64(s.value) } : s;
      });
      return out;
    },
  };
}
