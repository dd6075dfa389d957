/** The outermost layer: runs attempts until the retry policy gives up (see `../retry.ts`). */
import type { Scheduler } from "../coalescer.js";
import type { KmsError } from "../errors.js";
import type { KmsCounters } from "../events.js";
import type { Hooks } from "../hooks.js";
import { type RetryPolicyFunction, withRetry } from "../retry.js";
import type { Layer } from "./call.js";

export function retryLayer(deps: {
  policy: RetryPolicyFunction;
  scheduler: Scheduler;
  /** Monotonic clock (ms), for the retry budget. */
  monotonicNow: () => number;
  counters: KmsCounters;
  hooks: Hooks;
}): Layer {
  return (next) => (call) => {
    const { spec } = call;
    return withRetry((attempt) => next({ ...call, attempt }), {
      policy: deps.policy,
      request: {
        action: spec.action,
        keyTag: spec.keyTag,
        method: spec.method,
        idempotent: spec.idempotent ?? true,
      },
      sleep: (ms) => deps.scheduler.sleep(ms),
      now: deps.monotonicNow,
      onRetry: (error: KmsError, retry, delayMs) => {
        deps.counters.retries++;
        const fields = {
          action: spec.action,
          keyTag: spec.keyTag,
          attempt: retry,
          delayMs,
          code: error.code,
        };
        deps.hooks.emit({ type: "retry", ...fields });
        deps.hooks.debug("kms retry", fields);
      },
    });
  };
}
