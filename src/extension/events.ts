/**
 * Events the extension reports through its `onEvent` option, for metrics.
 * They name models, fields, operations and counts, never a value.
 */

/**
 * A read returned legacy plaintext as it is (only with
 * `allowPlaintextReads: true`): `count` cells of `Model.field` in one query.
 * Sum them to see how much `migrate encrypt` still has to do.
 */
export interface PlaintextReadEvent {
  readonly type: "plaintext-read";
  readonly model: string;
  readonly field: string;
  /** The Prisma operation of the query, e.g. `findMany`. */
  readonly operation: string;
  readonly count: number;
}

/** Every event `onEvent` receives. */
export type EncryptionEvent = PlaintextReadEvent;

/** Calls the listener, never letting a listener's error break the query. */
export function emitEvent(
  listener: ((event: EncryptionEvent) => void) | undefined,
  event: EncryptionEvent,
): void {
  if (listener === undefined) return;
  try {
    listener(event);
  } catch {
    // A metrics callback must not turn a successful read into a failure.
  }
}
