import type { NcpResponseCode } from "../errors.js";
import { defaultCodeForStatus, invalidRequest, KmsResponseError } from "./errors.js";
import type { EmulatorFaults, FailFractionOptions, FailNextOptions } from "./types.js";

/** mulberry32: a tiny seeded generator, so `failFraction` runs are repeatable. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw invalidRequest("fault status must be an HTTP error status (400-599)");
  }
}

function faultError(opts: {
  status: number;
  code?: NcpResponseCode | undefined;
  retryAfterSeconds?: number;
}): KmsResponseError {
  const headers: Record<string, string> = {};
  if (opts.retryAfterSeconds !== undefined) headers["retry-after"] = String(opts.retryAfterSeconds);
  return new KmsResponseError(
    opts.status,
    opts.code ?? defaultCodeForStatus(opts.status),
    "injected fault (emulator)",
    headers,
  );
}

/** Fault injection state; see {@link EmulatorFaults}. */
export class FaultInjector implements EmulatorFaults {
  private failQueue: Array<{ remaining: number; opts: FailNextOptions }> = [];
  private fraction: { value: number; opts: FailFractionOptions; random: () => number } | undefined;
  private drops = 0;
  latencyMs: number;

  constructor(latencyMs: number) {
    this.latencyMs = latencyMs;
  }

  failNext(count: number, opts: FailNextOptions): void {
    checkStatus(opts.status);
    if (!Number.isInteger(count) || count < 0) throw invalidRequest("failNext count must be a whole number");
    if (count > 0) this.failQueue.push({ remaining: count, opts: { ...opts } });
  }

  failFraction(fraction: number, opts: FailFractionOptions): void {
    checkStatus(opts.status);
    if (!(fraction >= 0 && fraction <= 1))
      throw invalidRequest("failFraction fraction must be between 0 and 1");
    this.fraction =
      fraction === 0 ? undefined : { value: fraction, opts: { ...opts }, random: seeded(0x5eed) };
  }

  dropNext(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw invalidRequest("dropNext count must be a whole number");
    this.drops += count;
  }

  setLatency(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw invalidRequest("latency must be a number of ms, 0 or more");
    this.latencyMs = ms;
  }

  clear(): void {
    this.failQueue = [];
    this.fraction = undefined;
    this.drops = 0;
    this.latencyMs = 0;
  }

  /** `true` when this request's connection should be dropped. */
  takeDrop(): boolean {
    if (this.drops === 0) return false;
    this.drops--;
    return true;
  }

  /** The injected error for a request to `action`, if any. */
  takeFailure(action: string | undefined): KmsResponseError | undefined {
    const index = this.failQueue.findIndex((f) => f.opts.action === undefined || f.opts.action === action);
    if (index >= 0) {
      const fault = this.failQueue[index]!;
      fault.remaining--;
      if (fault.remaining === 0) this.failQueue.splice(index, 1);
      return faultError(fault.opts);
    }
    if (this.fraction !== undefined && this.fraction.random() < this.fraction.value) {
      return faultError(this.fraction.opts);
    }
    return undefined;
  }
}
