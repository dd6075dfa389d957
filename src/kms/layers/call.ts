/**
 * One KMS call as it travels down the layers, and undici-style composition:
 * a layer wraps the next dispatch and returns a new one, so the client stacks
 * transport → auth → response check → limiter → token renewal → concurrency →
 * retry with `compose(send, ...layers)` (the last layer is the outermost).
 */
import type { z } from "zod";
import type { SignatureCredentials } from "../signing.js";
import type { HttpResponse, Transport } from "../transport.js";

/** How one request authenticates. */
export type RequestAuth =
  | { kind: "signature"; version: 1 | 2; credentials: SignatureCredentials }
  | { kind: "token" }
  | { kind: "refresh-token"; refreshToken: string };

/** Everything needed to make one call. */
export interface CallSpec<T extends z.ZodType> {
  action: string;
  keyTag?: string | undefined;
  transport: Transport;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  auth: RequestAuth;
  /** Rate-limiter bucket; `undefined` for calls outside the crypto quota. */
  bucket?: string | undefined;
  /** Skip the concurrency limit (token renewals, which in-flight requests may be waiting on). */
  unlimited?: boolean;
  /**
   * `false` for calls that change server state each time (`token-set`,
   * `create-key`, `rotate-key`): the retry policy then never repeats them once
   * they may have reached the server. Defaults to `true`.
   */
  idempotent?: boolean;
  /** Items carried (for events). */
  items: number;
  /** Schema of the envelope's `data`. */
  data: T;
}

/** One attempt of a call. Layers below the auth layer see its headers. */
export interface KmsCall {
  readonly spec: CallSpec<z.ZodType>;
  /** Attempt number, from 1 (set by the retry layer). */
  readonly attempt: number;
  /** Set by the auth layer just before sending. */
  headers: Record<string, string>;
  /** The access token the auth layer sent, under token auth. */
  usedToken?: string | undefined;
}

/** Sends a call; resolves with the response (after the response layer: a checked 2xx). */
export type Dispatch = (call: KmsCall) => Promise<HttpResponse>;

/** Wraps the next dispatch. */
export type Layer = (next: Dispatch) => Dispatch;

/** Stacks `layers` on `base`; the first layer is the innermost, the last the outermost. */
export function compose(base: Dispatch, ...layers: Layer[]): Dispatch {
  return layers.reduce<Dispatch>((next, layer) => layer(next), base);
}
