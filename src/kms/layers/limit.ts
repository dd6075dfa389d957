/**
 * Quota layers. `limiterLayer` takes a rate-limiter slot for calls in a quota
 * bucket before anything is signed or sent, fails closed with a typed error
 * when the limiter cannot answer, and on a 429 holds the bucket back for the
 * server's `Retry-After`. `concurrencyLayer` bounds requests in flight.
 */
import pLimit from "p-limit";
import type { Scheduler } from "../coalescer.js";
import { KmsLimiterUnavailableError, KmsQuotaWaitTimeoutError, KmsThrottledError } from "../errors.js";
import type { KmsCounters } from "../events.js";
import type { Hooks } from "../hooks.js";
import type { RateLimiter, Reservation } from "../rate-limiter.js";
import type { KmsCall, Layer } from "./call.js";

/** The cause to keep: the limiter's own cause when it raised the typed error, else name and message only. */
function limiterCause(error: unknown): Error {
  if (error instanceof KmsLimiterUnavailableError && error.cause instanceof Error) return error.cause;
  const clean = new Error(error instanceof Error ? error.message : "rate limiter failed");
  clean.name = error instanceof Error ? error.name : "Error";
  return clean;
}

export interface LimiterLayerDeps {
  limiter: RateLimiter;
  maxWaitMs: number;
  scheduler: Scheduler;
  counters: KmsCounters;
  hooks: Hooks;
}

export function limiterLayer(deps: LimiterLayerDeps): Layer {
  async function acquire(spec: KmsCall["spec"], bucket: string): Promise<void> {
    let r: Reservation;
    try {
      r = await deps.limiter.reserve(bucket, deps.maxWaitMs);
    } catch (error) {
      // A limiter that cannot answer admits nothing: fail closed on the quota, with a typed error.
      throw new KmsLimiterUnavailableError({
        action: spec.action,
        keyTag: spec.keyTag,
        cause: limiterCause(error),
      });
    }
    if (!r.granted) {
      throw new KmsQuotaWaitTimeoutError({
        action: spec.action,
        keyTag: spec.keyTag,
        attempts: 0,
        waitMs: r.waitMs,
        maxWaitMs: deps.maxWaitMs,
      });
    }
    if (r.waitMs > 0) {
      deps.counters.waits++;
      deps.counters.waitMs += r.waitMs;
      deps.hooks.emit({ type: "wait", bucket, waitMs: r.waitMs });
      await deps.scheduler.sleep(r.waitMs);
    }
  }

  return (next) => async (call) => {
    const { spec } = call;
    if (spec.bucket !== undefined) await acquire(spec, spec.bucket);
    try {
      return await next(call);
    } catch (error) {
      if (error instanceof KmsThrottledError) {
        deps.counters.throttled++;
        const retryAfterMs = error.retryAfterMs;
        deps.hooks.emit({ type: "throttled", action: spec.action, keyTag: spec.keyTag, retryAfterMs });
        // The server's quota view wins: hold every request for this bucket back as long as it asked.
        if (spec.bucket !== undefined && retryAfterMs !== undefined) {
          try {
            await deps.limiter.penalize?.(spec.bucket, retryAfterMs);
          } catch {
            // Advisory only: the caller gets the 429 either way.
          }
        }
      }
      throw error;
    }
  };
}

export function concurrencyLayer(concurrency: number): Layer {
  const slots = pLimit(concurrency);
  return (next) => (call) => (call.spec.unlimited ? next(call) : slots(() => next(call)));
}
