import type { EmulatorStats } from "./types.js";

/** Counters behind `stats()` and `GET /__emulator/stats`. */
export class StatsCounter {
  private data: EmulatorStats = StatsCounter.empty();

  private static empty(): EmulatorStats {
    return { requests: 0, byAction: {}, byKey: {}, values: 0, valuesByAction: {}, throttled: 0, errors: {} };
  }

  request(action: string | undefined, keyTag: string | undefined): void {
    this.data.requests++;
    if (action !== undefined) this.data.byAction[action] = (this.data.byAction[action] ?? 0) + 1;
    if (keyTag !== undefined) this.data.byKey[keyTag] = (this.data.byKey[keyTag] ?? 0) + 1;
  }

  values(count: number, action?: string): void {
    this.data.values += count;
    if (action !== undefined)
      this.data.valuesByAction[action] = (this.data.valuesByAction[action] ?? 0) + count;
  }

  error(status: number, throttled: boolean): void {
    const key = String(status);
    this.data.errors[key] = (this.data.errors[key] ?? 0) + 1;
    if (throttled) this.data.throttled++;
  }

  snapshot(): EmulatorStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = StatsCounter.empty();
  }
}
