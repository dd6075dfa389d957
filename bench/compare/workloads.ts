/**
 * The side-by-side workloads. Each runs on freshly cleared tables: `prepare`
 * (untimed) seeds what it reads, `run` is timed, `check` (untimed) makes sure
 * the figure belongs to a correct run (decrypted values, right counts).
 */
import type { SizeName } from "./config.js";
import { plainInput, userInput, userInputs } from "./data.js";
import { readMix, readMixOwnWrites } from "./read-mix.js";
import type { BenchClient, UserRow, VariantName } from "./variants.js";

/** Which pass a `run` is: the untimed warm-up (`warmRun`) or the timed one. */
export type Pass = "warm" | "timed";

/** A target from the issue: `metric` must stay at or under `max`. */
export interface RatioGoal {
  readonly text: string;
  readonly metric: "oursPlain" | "oursPfe";
  readonly max: number;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly size: SizeName;
  readonly variants: readonly VariantName[];
  /** Why a variant is missing, when one is. */
  readonly note?: string;
  readonly goal?: RatioGoal;
  /**
   * Run once untimed before the timed run: reads repeat in an app, and the
   * first read after seeding also pays statement and page-cache costs that
   * are not encryption's. Defaults to `false`.
   */
  readonly warmRun?: boolean;
  /** Variants that skip the warm-up run (nothing of theirs to warm). Defaults to none. */
  readonly coldVariants?: readonly VariantName[];
  /**
   * Keep what seeding through `ours` taught its cache (rows this process
   * wrote). Otherwise every run starts with an empty cache after `prepare`.
   * Defaults to `false`.
   */
  readonly keepCacheAfterPrepare?: boolean;
  /** Timed repetitions for a variant, when fewer than the run's (slow variants). Defaults to all. */
  repetitionsFor?(variant: VariantName, repetitions: number): number;
  prepare?(client: BenchClient, rows: number): Promise<void>;
  run(client: BenchClient, rows: number, pass: Pass, variant: VariantName): Promise<unknown>;
  check(result: unknown, rows: number): void;
  /** Per-operation durations (ms) in a run's result, for p50/p99. */
  operations?(result: unknown): Readonly<Record<string, readonly number[]>>;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark check failed: ${what}`);
}

const userSelect = { id: true, email: true, phone: true } as const;

function checkUsers(rows: readonly (UserRow | null)[], count: number, workload: string): void {
  expect(rows.length === count, `${workload}: expected ${count} rows, got ${rows.length}`);
  const emails = new Set(rows.map((r) => r?.email));
  for (const i of [0, count - 1]) {
    expect(emails.has(userInput(i).email), `${workload}: row ${i} is missing or not decrypted`);
  }
  const phones = new Set(rows.map((r) => r?.phone));
  expect(phones.has(userInput(0).phone), `${workload}: phone not decrypted`);
}

const seedUsers = async (client: BenchClient, rows: number) => {
  await client.user.createMany({ data: userInputs(rows) });
};

export const workloads: readonly Workload[] = [
  {
    id: "create-one-by-one",
    title: "create × N, one by one (2 encrypted fields)",
    size: "createOneByOne",
    variants: ["plain", "ours", "pfe"],
    goal: { text: "ours ≤ 1.5× plain", metric: "oursPlain", max: 1.5 },
    async run(client, rows) {
      let created = 0;
      for (let i = 0; i < rows; i++) {
        await client.user.create({ data: userInput(i), select: { id: true } });
        created++;
      }
      return created;
    },
    check: (result, rows) => expect(result === rows, "create-one-by-one: not every row was created"),
  },
  {
    id: "create-many",
    title: "createMany N rows (2 encrypted fields)",
    size: "createMany",
    variants: ["plain", "ours", "pfe"],
    goal: { text: "ours ≤ 1.0× pfe", metric: "oursPfe", max: 1.0 },
    run: (client, rows) => client.user.createMany({ data: userInputs(rows) }),
    check: (result, rows) =>
      expect((result as { count: number }).count === rows, "create-many: wrong row count"),
  },
  {
    id: "find-many",
    title: "findMany N rows (2 encrypted fields each)",
    size: "findMany",
    variants: ["plain", "ours", "oursNoCache", "pfe"],
    goal: { text: "ours ≤ 1.0× pfe", metric: "oursPfe", max: 1.0 },
    warmRun: true,
    prepare: seedUsers,
    run: (client) => client.user.findMany({ select: userSelect }),
    check: (result, rows) => checkUsers(result as UserRow[], rows, "find-many"),
  },
  {
    id: "find-unique-concurrent",
    title: "findUnique by searchable email × N concurrently",
    size: "findUniqueConcurrent",
    variants: ["plain", "ours", "oursNoCache"],
    note: "pfe: n/a — it cannot filter on an encrypted column (it needs a separate hash column)",
    warmRun: true,
    prepare: seedUsers,
    run: (client, rows) =>
      Promise.all(
        Array.from({ length: rows }, (_, i) =>
          client.user.findUnique({ where: { email: userInput(i).email }, select: userSelect }),
        ),
      ),
    check(result, rows) {
      const found = result as Array<UserRow | null>;
      checkUsers(found, rows, "find-unique-concurrent");
      expect(
        found.every((row, i) => row?.email === userInput(i).email),
        "find-unique-concurrent: a lookup returned the wrong row",
      );
    },
  },
  {
    id: "plain-model",
    title: "model with no encrypted field: N creates + findMany",
    size: "plainModel",
    variants: ["plain", "ours", "pfe"],
    goal: { text: "ours ≤ 1.05× plain", metric: "oursPlain", max: 1.05 },
    async run(client, rows) {
      for (let i = 0; i < rows; i++) {
        await client.plain.create({ data: plainInput(i), select: { id: true } });
      }
      return client.plain.findMany();
    },
    check: (result, rows) => expect((result as unknown[]).length === rows, "plain-model: wrong row count"),
  },
  readMix,
  readMixOwnWrites,
];
