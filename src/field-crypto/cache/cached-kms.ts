/**
 * A `KmsCrypto` decorator: answers decrypts and convergent encrypts from a
 * {@link KmsCache}, sends each distinct missing value once (duplicates in a
 * call and identical values already in flight share one KMS round trip),
 * and learns from every result — an encrypt teaches the decrypt cache its
 * ciphertext → plaintext, and a convergent encrypt or decrypt teaches the
 * encrypt cache plaintext → ciphertext (only for the newest key version
 * seen). Failures are never stored.
 *
 * It returns what the KMS would: decrypted envelope bytes. The caller still
 * runs every check on them (column binding, type), on a hit as on a miss.
 */
import type { KmsCrypto, Settled } from "../../kms/types.js";
import { bytesToKey, keyToBytes } from "./bytes.js";
import { versionOf } from "./key-versions.js";
import type { CacheState } from "./kms-cache.js";
import type { InFlightValue } from "./single-flight.js";

type Outcome = Settled<string>;

const failed = (error: unknown): Outcome => ({
  ok: false,
  error: error instanceof Error ? error : new Error(String(error)),
});

/** Where each requested value comes from: a result now, a pending one, or the n-th value sent. */
type Source = { now: Outcome } | { wait: InFlightValue } | { sent: number };

interface Plan {
  readonly sources: Source[];
  readonly sendKeys: string[];
  readonly sendIndex: number[];
  hits: number;
  joined: number;
}

export class CachedKms implements KmsCrypto {
  constructor(
    private readonly inner: KmsCrypto,
    private readonly state: CacheState,
    private readonly convergentKeyTags: ReadonlySet<string>,
  ) {}

  async encryptMany(
    keyTag: string,
    context: Uint8Array | undefined,
    plaintexts: readonly Uint8Array[],
  ): Promise<string[]> {
    const scope = this.state.scope(keyTag, context);
    if (context === undefined || !this.convergentKeyTags.has(keyTag)) {
      // Random IVs: every plaintext is sent; the results still teach the decrypt cache.
      const ciphertexts = await this.inner.encryptMany(keyTag, context, plaintexts);
      const evictedBefore = this.state.store.counters.evictions;
      if (ciphertexts.length === plaintexts.length) {
        ciphertexts.forEach((ciphertext, i) => {
          this.learnDecrypt(keyTag, scope, ciphertext, bytesToKey(plaintexts[i] as Uint8Array));
        });
      }
      this.state.sent.encrypt += plaintexts.length;
      this.report("encrypt", keyTag, plaintexts.length, 0, 0, plaintexts.length, evictedBefore);
      return ciphertexts;
    }
    const generation = this.state.versions.generationOf(keyTag);
    const minVersion = this.state.versions.newestOf(keyTag);
    const evictedBefore = this.state.store.counters.evictions;
    const plainKeys = plaintexts.map(bytesToKey);
    const plan = this.plan(
      "encrypt",
      plainKeys.map((p) => `e${scope}${p}`),
      (key) => this.state.store.get("encrypt", key, minVersion),
    );
    let outcomes: Outcome[] = [];
    if (plan.sendKeys.length > 0) {
      const pending = this.state.inFlight.start(plan.sendKeys);
      try {
        const sent = plan.sendIndex.map((i) => plaintexts[i] as Uint8Array);
        const ciphertexts = await this.inner.encryptMany(keyTag, context, sent);
        if (ciphertexts.length !== sent.length)
          throw new Error("KMS returned a different number of ciphertexts");
        outcomes = ciphertexts.map((value) => ({ ok: true, value }));
        ciphertexts.forEach((ciphertext, j) => {
          const i = plan.sendIndex[j] as number;
          this.learnDecrypt(keyTag, scope, ciphertext, plainKeys[i] as string);
          this.learnEncrypt(keyTag, scope, plainKeys[i] as string, ciphertext, generation, true);
        });
      } catch (error) {
        outcomes = plan.sendKeys.map(() => failed(error));
      }
      pending.settle(outcomes);
    }
    const results = await this.collect(plan, outcomes, (outcome) => {
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    });
    this.report(
      "encrypt",
      keyTag,
      plaintexts.length,
      plan.hits,
      plan.joined,
      plan.sendKeys.length,
      evictedBefore,
    );
    return results;
  }

  async decryptMany(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<Uint8Array[]> {
    const outcomes = await this.decrypt("m", keyTag, context, ciphertexts, async (sent) =>
      (await this.inner.decryptMany(keyTag, context, sent)).map((value) => ({ ok: true, value })),
    );
    return outcomes.map((outcome) => {
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    });
  }

  decryptManySettled(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<Array<Settled<Uint8Array>>> {
    return this.decrypt("s", keyTag, context, ciphertexts, (sent) =>
      this.inner.decryptManySettled(keyTag, context, sent),
    );
  }

  async reencryptMany(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<string[]> {
    const results = await this.inner.reencryptMany(keyTag, context, ciphertexts);
    for (const ciphertext of results) this.observeVersion(keyTag, versionOf(ciphertext));
    return results;
  }

  async reencryptManySettled(
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
  ): Promise<Array<Settled<string>>> {
    const results = await this.inner.reencryptManySettled(keyTag, context, ciphertexts);
    for (const result of results) if (result.ok) this.observeVersion(keyTag, versionOf(result.value));
    return results;
  }

  /**
   * `mode` keeps settled and unsettled calls apart in flight: an unsettled
   * call fails as a whole, which must not fail a settled caller's good value.
   */
  private async decrypt(
    mode: "m" | "s",
    keyTag: string,
    context: Uint8Array | undefined,
    ciphertexts: readonly string[],
    send: (ciphertexts: string[]) => Promise<Array<Settled<Uint8Array>>>,
  ): Promise<Array<Settled<Uint8Array>>> {
    const scope = this.state.scope(keyTag, context);
    const convergent = context !== undefined && this.convergentKeyTags.has(keyTag);
    const generation = this.state.versions.generationOf(keyTag);
    const evictedBefore = this.state.store.counters.evictions;
    const plan = this.plan(
      "decrypt",
      ciphertexts.map((c) => `d${scope}${c}`),
      (key) => this.state.store.get("decrypt", key),
      (key) => `${mode}${key}`,
    );
    let outcomes: Outcome[] = [];
    if (plan.sendKeys.length > 0) {
      const pending = this.state.inFlight.start(plan.sendKeys.map((key) => `${mode}${key}`));
      const sent = plan.sendIndex.map((i) => ciphertexts[i] as string);
      try {
        const results = await send(sent);
        if (results.length !== sent.length) throw new Error("KMS returned a different number of plaintexts");
        outcomes = results.map((result, j) => {
          if (!result.ok) return result;
          const plaintext = bytesToKey(result.value);
          const ciphertext = sent[j] as string;
          this.observeVersion(keyTag, versionOf(ciphertext));
          this.state.store.set("decrypt", plan.sendKeys[j] as string, plaintext);
          // Convergent: this plaintext under this context encrypts to this very ciphertext (if current).
          if (convergent) this.learnEncrypt(keyTag, scope, plaintext, ciphertext, generation, false);
          return { ok: true, value: plaintext };
        });
      } catch (error) {
        outcomes = sent.map(() => failed(error));
      }
      pending.settle(outcomes);
    }
    const results = await this.collect(
      plan,
      outcomes,
      (outcome): Settled<Uint8Array> =>
        outcome.ok ? { ok: true, value: keyToBytes(outcome.value) } : outcome,
    );
    this.report(
      "decrypt",
      keyTag,
      ciphertexts.length,
      plan.hits,
      plan.joined,
      plan.sendKeys.length,
      evictedBefore,
    );
    return results;
  }

  /** Sorts each key into a hit, a wait on a value in flight, or a value to send (once per distinct key). */
  private plan(
    kind: "decrypt" | "encrypt",
    keys: readonly string[],
    lookup: (key: string) => string | undefined,
    flightKey: (key: string) => string = (key) => key,
  ): Plan {
    const plan: Plan = { sources: [], sendKeys: [], sendIndex: [], hits: 0, joined: 0 };
    // Keys this call sends, for a repeat within the call; made only once a key is to be sent.
    let local: Map<string, number> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const cached = lookup(key);
      if (cached !== undefined) {
        plan.hits++;
        plan.sources.push({ now: { ok: true, value: cached } });
        continue;
      }
      const repeated = local?.get(key);
      if (repeated !== undefined) {
        plan.joined++;
        plan.sources.push({ sent: repeated });
        continue;
      }
      const inFlight = this.state.inFlight.get(flightKey(key));
      if (inFlight !== undefined) {
        plan.joined++;
        plan.sources.push({ wait: inFlight });
        continue;
      }
      const at = plan.sendKeys.push(key) - 1;
      plan.sendIndex.push(i);
      local ??= new Map();
      local.set(key, at);
      plan.sources.push({ sent: at });
    }
    this.state.joined[kind] += plan.joined;
    this.state.sent[kind] += plan.sendKeys.length;
    return plan;
  }

  /**
   * Each requested value's outcome, in input order; `sent` holds the outcomes
   * of the values this call sent. Awaits only values other calls have in flight.
   */
  private async collect<T>(
    plan: Plan,
    sent: readonly Outcome[],
    convert: (outcome: Outcome) => T,
  ): Promise<T[]> {
    const results = new Array<T>(plan.sources.length);
    const waiting: Array<Promise<void>> = [];
    plan.sources.forEach((source, i) => {
      if ("now" in source) results[i] = convert(source.now);
      else if ("sent" in source) results[i] = convert(sent[source.sent] as Outcome);
      else {
        const { outcomes, index } = source.wait;
        waiting.push(
          outcomes.then((list) => {
            results[i] = convert(list[index] as Outcome);
          }),
        );
      }
    });
    if (waiting.length > 0) await Promise.all(waiting);
    return results;
  }

  private learnDecrypt(keyTag: string, scope: string, ciphertext: string, plaintext: string): void {
    this.observeVersion(keyTag, versionOf(ciphertext));
    this.state.store.set("decrypt", `d${scope}${ciphertext}`, plaintext);
  }

  /**
   * Stores plaintext → ciphertext for a convergent key, unless the key was
   * rotated since the call began or a newer version has been seen; after a
   * rotation with no known version, only an encrypt's answer (which is on
   * the newest version) is stored, never a decrypted ciphertext.
   */
  private learnEncrypt(
    keyTag: string,
    scope: string,
    plaintext: string,
    ciphertext: string,
    generation: number,
    fromEncrypt: boolean,
  ): void {
    const { versions } = this.state;
    const version = versionOf(ciphertext);
    this.observeVersion(keyTag, version);
    if (versions.generationOf(keyTag) !== generation) return;
    if (fromEncrypt) versions.confirm(keyTag, version);
    else if (!versions.confirmed(keyTag)) return;
    if (version < versions.newestOf(keyTag)) return;
    this.state.store.set("encrypt", `e${scope}${plaintext}`, ciphertext, keyTag, version);
  }

  private observeVersion(keyTag: string, version: number): void {
    if (this.state.versions.observe(keyTag, version)) this.state.store.retire(keyTag, version);
  }

  private report(
    type: "decrypt" | "encrypt",
    keyTag: string,
    values: number,
    hits: number,
    joined: number,
    sent: number,
    evictedBefore: number,
  ): void {
    const listener = this.state.onEvent;
    if (listener === undefined) return;
    const evictions = this.state.store.counters.evictions - evictedBefore;
    listener({ type, keyTag, values, hits, joined, sent, evictions, bytes: this.state.store.bytes });
  }
}
