/** The innermost dispatch: one HTTP request through the call's transport, counted and reported. */
import type { KmsCounters } from "../events.js";
import type { Hooks } from "../hooks.js";
import type { Dispatch } from "./call.js";

export function sendDispatch(deps: {
  counters: KmsCounters;
  hooks: Hooks;
  /** Monotonic clock (ms), for durations. */
  monotonicNow: () => number;
}): Dispatch {
  return async ({ spec, attempt, headers }) => {
    const started = deps.monotonicNow();
    deps.counters.requests++;
    let status: number | undefined;
    try {
      const res = await spec.transport.send({
        method: spec.method,
        path: spec.path,
        headers,
        body: spec.body,
        action: spec.action,
        keyTag: spec.keyTag,
      });
      status = res.status;
      return res;
    } finally {
      if (status === undefined || status >= 400) deps.counters.errors++;
      // The same secret-free fields go to the metrics hook and the debug log.
      const fields = {
        action: spec.action,
        keyTag: spec.keyTag,
        items: spec.items,
        status,
        attempt,
        durationMs: deps.monotonicNow() - started,
      };
      deps.hooks.emit({ type: "request", ...fields });
      deps.hooks.debug("kms request", fields);
    }
  };
}
