/**
 * `describeEachProvider` runs a suite once per database provider. Which
 * providers: TEST_PROVIDERS (comma-separated), default all three. A provider
 * whose server does not answer is skipped with a reason naming the service,
 * except under CI, where the suite fails instead (CI must test all three).
 */
import { describe } from "vitest";
import { allProviders, type Provider, unavailableReason } from "./databases.js";

const selected: Provider[] = (process.env.TEST_PROVIDERS?.split(",").map((p) => p.trim()) as
  | Provider[]
  | undefined) ?? [...allProviders];
const reasons = new Map<Provider, string | null>();
for (const provider of selected) reasons.set(provider, await unavailableReason(provider));

export function describeEachProvider(name: string, suite: (provider: Provider) => void): void {
  for (const provider of selected) {
    const reason = reasons.get(provider) ?? null;
    if (reason !== null && process.env.CI !== "true") {
      describe.skip(`${name} [${provider}] — skipped: ${reason}`, () => suite(provider));
    } else {
      if (reason !== null) throw new Error(`CI requires ${provider}: ${reason}`);
      describe(`${name} [${provider}]`, () => suite(provider));
    }
  }
}
