/**
 * Cost of the args walk alone (no database, no KMS): `planArgs`, and
 * `planArgs` + the sealed-args check, per operation, µs/op (best of the
 * repetitions, variants interleaved, so a shared machine's load hurts them alike). The same map is
 * compiled twice: with Prisma's input types (the walk by input types) and
 * without `operations` (the positional walk maps from older generators get),
 * so both run side by side on the same machine load. Figures, not pass/fail.
 *
 *   npx tsx bench/walk.ts [--iterations 20000] [--reps 5]
 *
 * Then the whole hook of a `findUnique` (walks, cache lookups, envelope
 * checks, copies) with a stand-in `query()` that returns a freshly built row,
 * every value answered from the cache: the extension's own cost per call
 * with Prisma and the database taken out.
 *
 * Writes `bench/results/walk.json`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { compileMap } from "../src/extension/compiled-map.js";
import { resolveOptions } from "../src/extension/config.js";
import { queryHooks } from "../src/extension/hooks.js";
import { planArgs } from "../src/extension/walk/args.js";
import { verifySealedArgs } from "../src/extension/walk/verify.js";
import { KeyChecker } from "../src/field-crypto/key-check.js";
import type { EncryptionMap } from "../src/schema/map.js";
import { map, startKms } from "../test/extension/setup.js";

const keys = { default: "k-default", searchable: "k-searchable", archive: "k-archive" };
const { operations: _operations, relationArgs: _relationArgs, ...positionalMap } = map;
const walks = {
  typed: compileMap(map, keys),
  positional: compileMap(positionalMap as EncryptionMap, keys),
};

/** [name, model, operation, args] */
const cases: ReadonlyArray<readonly [string, string, string, Record<string, unknown>]> = [
  ["create 3 fields", "User", "create", { data: { email: "a@example.com", phone: "010", name: "n" } }],
  ["findUnique by searchable", "User", "findUnique", { where: { email: "a@example.com" } }],
  [
    "findMany OR + include where",
    "User",
    "findMany",
    {
      where: { OR: [{ email: "a@example.com" }, { name: "x" }] },
      include: { posts: { where: { slug: { in: ["s1", "s2"] } } } },
    },
  ],
  [
    "update nested (create, upsert, to-one update)",
    "User",
    "update",
    {
      where: { id: 1 },
      data: {
        email: "a@example.com",
        posts: {
          create: [{ title: "t", slug: "s1" }],
          upsert: [
            { where: { id: 1 }, create: { title: "u", slug: "s2" }, update: { secret: { set: "x" } } },
          ],
        },
        profile: { update: { where: { taxId: "T" }, data: { bio: "b" } } },
      },
    },
  ],
  [
    "to-one update, keyword-named fields",
    "KwOwner",
    "update",
    { where: { id: 1 }, data: { item: { update: { data: "d", where: "w", bio: "b" } } } },
  ],
  [
    "createMany 100 rows",
    "User",
    "createMany",
    { data: Array.from({ length: 100 }, (_, i) => ({ email: `m${i}@example.com`, phone: `${i}` })) },
  ],
];

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Best of `reps` runs of `iterations` calls, µs per call, each variant's runs interleaved with the others' (the load is shared). */
function bestUs(
  reps: number,
  iterations: number,
  variants: Record<string, () => void>,
): Record<string, number> {
  const best: Record<string, number> = {};
  for (let rep = -1; rep < reps; rep++) {
    for (const [name, run] of Object.entries(variants)) {
      const start = performance.now();
      for (let i = 0; i < iterations; i++) run();
      const us = ((performance.now() - start) * 1000) / iterations;
      // rep -1 warms the JIT up and is not counted.
      if (rep >= 0) best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, Math.round(us * 100) / 100);
    }
  }
  return best;
}

async function main(): Promise<void> {
  const iterations = argValue("iterations", 20_000);
  const reps = argValue("reps", 5);
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  const rows = [];
  for (const [name, model, operation, args] of cases) {
    const n = operation === "createMany" ? Math.ceil(iterations / 50) : iterations;
    const variants: Record<string, () => void> = {};
    for (const [walkName, compiled] of Object.entries(walks)) {
      variants[`${walkName} µs`] = () => planArgs(compiled, model, operation, args);
      variants[`${walkName}+verify µs`] = () => {
        const plan = planArgs(compiled, model, operation, args);
        verifySealedArgs(compiled, map.inputTypes, model, operation, plan.args);
      };
    }
    const row = { case: name, ...bestUs(reps, n, variants) };
    rows.push(row);
  }
  console.table(rows);
  const hook = await hookCost(iterations, reps);
  console.table([hook]);
  console.log(`load average at start: ${load.join(" ")} (2 shared cores)`);
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(
    `${dir}walk.json`,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, load, iterations, reps, rows, hook }, null, 2)}\n`,
  );
}

/** µs per `findUnique` through the User hook, cache warm, `query()` a stand-in returning a fresh row. */
async function hookCost(iterations: number, reps: number): Promise<Record<string, number | string>> {
  // The extension tests' emulator and keys (default, convergent searchable, archive) over real HTTP.
  const kms = await startKms();
  const resolved = resolveOptions({ map, kms: kms.client, keys: kms.keys });
  const hooks = queryHooks(compileMap(resolved.map, resolved.keys), resolved, new KeyChecker(kms.client, []));
  const user = hooks.user?.$allOperations;
  if (user === undefined) throw new Error("no User hook");
  let stored: Record<string, unknown> = {};
  await user({
    operation: "create",
    args: { data: { email: "u@example.com", phone: "+82-10-1", name: "n" } },
    query: async (args) => {
      stored = { id: 1, ...(args as { data: object }).data, createdAt: new Date() };
      return { ...stored };
    },
  });
  // Fresh strings per row, as a driver returns them (no hash or flat string kept from the last call).
  const row = () =>
    Object.fromEntries(
      Object.entries(stored).map(([k, v]) => [
        k,
        typeof v === "string" ? Buffer.from(v, "latin1").toString("latin1") : v,
      ]),
    );
  const find = (where: Record<string, unknown>) => async () => {
    for (let i = 0; i < iterations; i++) {
      const found = (await user({ operation: "findUnique", args: { where }, query: async () => row() })) as {
        phone?: unknown;
      };
      if (found.phone !== "+82-10-1") throw new Error("benchmark check failed: not decrypted");
    }
  };
  const variants: Record<string, () => Promise<void>> = {
    "query() stand-in alone µs": async () => {
      for (let i = 0; i < iterations; i++) if ((await (async () => row())()).id !== 1) throw new Error("x");
    },
    "hook, by id µs": find({ id: 1 }),
    "hook, by searchable email µs": find({ email: "u@example.com" }),
  };
  const best: Record<string, number | string> = { case: "findUnique, every value from the cache" };
  for (let rep = -1; rep < reps; rep++) {
    for (const [name, run] of Object.entries(variants)) {
      const start = performance.now();
      await run();
      const us = Math.round(((performance.now() - start) * 100_000) / iterations) / 100;
      if (rep >= 0) best[name] = Math.min(Number(best[name] ?? Number.POSITIVE_INFINITY), us);
    }
  }
  if (kms.stats().byAction.decrypt !== undefined)
    throw new Error("benchmark check failed: a decrypt reached the KMS");
  await kms.close();
  return best;
}

await main();
