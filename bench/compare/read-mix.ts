/**
 * The read mix: N users, then N/2 sequential reads of Zipf-chosen users
 * (s = 1.0): 40 % `findUnique` by id, 40 % by the searchable email, 20 % a
 * 20-row list page starting at the chosen user. pfe cannot filter on an
 * encrypted column: it runs the by-id and list reads only.
 *
 * Two versions: `read-mix` reads rows written elsewhere — `ours` starts with
 * an empty cache, warms up on one Zipf sequence and is timed on another, so
 * a hit is a row read before, not the same read replayed; `read-mix-own-writes`
 * reads rows this process wrote (seeding through `ours` filled its cache),
 * with no warm-up pass.
 */
import { userInput } from "./data.js";
import type { BenchClient, UserRow, VariantName } from "./variants.js";
import type { Pass, Workload } from "./workloads.js";
import { zipfSampler } from "./zipf.js";

const ZIPF_S = 1.0;
const PAGE = 20;
const SEED_CHUNK = 5_000;
const kinds = ["byId", "byEmail", "byId", "byEmail", "listPage"] as const;
export type ReadMixOperation = (typeof kinds)[number];

const userSelect = { id: true, email: true, phone: true } as const;

export interface ReadMixResult {
  readonly reads: number;
  readonly operations: Record<ReadMixOperation, number[]>;
}

/** Ids in seeding order: the index of `userInput(i)` → its row id. */
let ids: number[] = [];

function fail(what: string): never {
  throw new Error(`benchmark check failed: read-mix: ${what}`);
}

async function seed(client: BenchClient, rows: number): Promise<void> {
  for (let from = 0; from < rows; from += SEED_CHUNK) {
    const data = Array.from({ length: Math.min(SEED_CHUNK, rows - from) }, (_, i) => userInput(from + i));
    await client.user.createMany({ data });
  }
  ids = (await client.user.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((u) => u.id);
  if (ids.length !== rows) fail(`seeded ${ids.length} of ${rows} users`);
}

async function run(
  client: BenchClient,
  rows: number,
  pass: Pass,
  variant: VariantName,
): Promise<ReadMixResult> {
  const reads = Math.max(10, Math.round(rows / 2));
  const next = zipfSampler(rows, ZIPF_S, pass === "warm" ? 1 : 2);
  const operations: Record<ReadMixOperation, number[]> = { byId: [], byEmail: [], listPage: [] };
  for (let r = 0; r < reads; r++) {
    const kind = kinds[r % kinds.length]!;
    const index = next();
    if (kind === "byEmail" && variant === "pfe") continue;
    const expected = userInput(index);
    const start = performance.now();
    let row: UserRow | null | undefined;
    if (kind === "listPage") {
      const page = await client.user.findMany({
        where: { id: { gte: ids[index]! } },
        orderBy: { id: "asc" },
        take: PAGE,
        select: userSelect,
      });
      row = page[0];
      if (page.length !== Math.min(PAGE, rows - index)) fail(`page of ${page.length} rows at ${index}`);
    } else {
      const where = kind === "byId" ? { id: ids[index]! } : { email: expected.email };
      row = await client.user.findUnique({ where, select: userSelect });
    }
    operations[kind].push(performance.now() - start);
    if (row?.email !== expected.email || row.phone !== expected.phone) fail(`${kind} of user ${index}`);
  }
  return { reads, operations };
}

export const readMix: Workload = {
  id: "read-mix",
  title: "read mix: N users, Zipf(1.0) reads by id / by email / 20-row pages",
  size: "readMix",
  variants: ["plain", "ours", "oursNoCache", "pfe"],
  note: "pfe: by-id and list reads only (it cannot filter on an encrypted column)",
  goal: { text: "ours ≤ 1.5× plain", metric: "oursPlain", max: 1.5 },
  warmRun: true,
  coldVariants: ["oursNoCache"],
  repetitionsFor: (variant, repetitions) =>
    variant === "oursNoCache" ? Math.min(repetitions, 3) : repetitions,
  prepare: seed,
  run,
  check(result, rows) {
    const done = result as ReadMixResult;
    const count = Object.values(done.operations).reduce((n, list) => n + list.length, 0);
    if (count === 0 || done.reads !== Math.max(10, Math.round(rows / 2))) fail("no reads");
  },
  operations: (result) => (result as ReadMixResult).operations,
};

export const readMixOwnWrites: Workload = {
  ...readMix,
  id: "read-mix-own-writes",
  title: "read mix of rows this process wrote: N users, Zipf(1.0)",
  variants: ["plain", "ours", "pfe"],
  warmRun: false,
  keepCacheAfterPrepare: true,
  note: "pfe: by-id and list reads only; oursNoCache: same as read-mix (nothing to keep)",
};
