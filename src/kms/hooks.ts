/**
 * The client's outward hooks (event listeners and the debug logger), isolated:
 * an exception in one is caught and never changes the outcome of a KMS call.
 * Each failing hook is reported once, as an `error` event to the other
 * listeners — or, for a listener with no other listener to tell, through the
 * logger; later failures of the same hook are dropped, so a listener that
 * always throws cannot flood anyone.
 */
import type { KmsEvent, KmsLogger } from "./events.js";

type Listener = (event: KmsEvent) => void;

/** Emitting events and debug lines without letting a hook throw into the caller. */
export interface Hooks {
  emit(event: KmsEvent): void;
  debug(message: string, fields: Record<string, unknown>): void;
  /** Subscribes; returns the unsubscribe function. */
  on(listener: Listener): () => void;
}

export function createHooks(options: {
  onEvent?: Listener | undefined;
  logger?: KmsLogger | undefined;
}): Hooks {
  const listeners = new Set<Listener>();
  if (options.onEvent) listeners.add(options.onEvent);
  const reported = new WeakSet<object>();

  function report(hook: object, source: "listener" | "logger", error: unknown): void {
    if (reported.has(hook)) return;
    reported.add(hook);
    const event: KmsEvent = { type: "error", source, error };
    let told = 0;
    for (const l of listeners) {
      if (l === hook) continue;
      told++;
      try {
        l(event);
      } catch {
        // A listener failing on an error report is not reported again: that could loop.
      }
    }
    if (told === 0 && source === "listener") {
      const name = error instanceof Error ? error.name : typeof error;
      const message = error instanceof Error ? error.message : undefined;
      debug("kms onEvent listener threw (reported once)", { source, name, message });
    }
  }

  function debug(message: string, fields: Record<string, unknown>): void {
    const logger = options.logger;
    if (logger === undefined) return;
    try {
      logger.debug(message, fields);
    } catch (error) {
      report(logger, "logger", error);
    }
  }

  return {
    emit(event) {
      for (const l of listeners) {
        try {
          l(event);
        } catch (error) {
          report(l, "listener", error);
        }
      }
    },
    debug,
    on(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
