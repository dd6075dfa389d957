/**
 * `npm run bench [-- <name>...]`: runs benchmarks and prints their figures.
 * Names: `compare` (the side-by-side table; the default), `emulator`, `kms`,
 * `extension`, `migrate`, or `all`. Benchmarks never fail on time.
 *
 * Environment (compare): BENCH_SCALE (0–1, multiplies row counts; default 1),
 * BENCH_REPS (repetitions, median reported; default 5), BENCH_PROVIDERS
 * (comma-separated; default `sqlite,postgresql`), BENCH_MIGRATION=0 to skip
 * the 100,000-row rotation, BENCH_KMS_LATENCY_MS (comma-separated ms the
 * emulator adds to every KMS request; default `0,10`), BENCH_WORKLOADS
 * (comma-separated workload ids; default all).
 */
import { existsSync } from "node:fs";
import type { Provider } from "../test/helpers/databases.js";
import { formatTable, runCompareBench } from "./compare/index.js";

/** Benchmarks other modules own, loaded only when asked for (they may not exist yet). */
const external: Record<string, { module: string; export: string }> = {
  emulator: { module: "./emulator.js", export: "runEmulatorBench" },
  kms: { module: "./kms.js", export: "runKmsBench" },
  extension: { module: "./extension.js", export: "runExtensionBench" },
  migrate: { module: "./migrate.js", export: "runMigrateBench" },
};
const allNames = ["emulator", "kms", "extension", "migrate", "compare"];

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

function listFromEnv(name: string): string[] | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  return raw.split(",").map((part) => part.trim());
}

async function runCompare(): Promise<void> {
  const { report, path } = await runCompareBench({
    scale: numberFromEnv("BENCH_SCALE"),
    repetitions: numberFromEnv("BENCH_REPS"),
    providers: process.env.BENCH_PROVIDERS?.split(",").map((p) => p.trim() as Provider),
    migration: process.env.BENCH_MIGRATION !== "0",
    latenciesMs: listFromEnv("BENCH_KMS_LATENCY_MS")?.map((raw) => {
      const value = Number(raw);
      if (!Number.isFinite(value))
        throw new Error(`BENCH_KMS_LATENCY_MS must be numbers, got ${JSON.stringify(raw)}`);
      return value;
    }),
    workloads: listFromEnv("BENCH_WORKLOADS"),
    log: (line) => console.error(`[bench] ${line}`),
  });
  console.log(
    `\nSide by side — ${report.cpu} × ${report.cpus}, Node ${report.node}, scale ${report.scale}, ` +
      `median of ${report.repetitions}; emulator on loopback at ${report.emulator.quotaTpsPerKey} TPS per key, ` +
      `KMS latency ${report.emulator.latenciesMs.join(" and ")} ms; load average ${report.loadAverage.start} → ${report.loadAverage.end}\n`,
  );
  console.log(formatTable(report));
  console.log(`\nwrote ${path}`);
}

async function runExternal(name: string): Promise<void> {
  const { module, export: exportName } = external[name]!;
  if (!existsSync(new URL(module.replace(/\.js$/, ".ts"), import.meta.url))) {
    console.log(`${name}: not available (bench/${name}.ts is missing)`);
    return;
  }
  // A non-literal specifier: these modules are written concurrently and may be absent.
  const loaded = (await import(module)) as Record<string, unknown>;
  const fn = loaded[exportName];
  if (typeof fn !== "function") {
    console.log(`${name}: not available (bench/${name}.ts does not export ${exportName})`);
    return;
  }
  console.log(`\n== ${name} ==`);
  const result: unknown = await fn();
  if (result !== undefined) console.log(JSON.stringify(result, null, 2));
}

async function main(argv: readonly string[]): Promise<number> {
  const requested = argv.length === 0 ? ["compare"] : argv.flatMap((a) => (a === "all" ? allNames : [a]));
  const unknown = requested.filter((n) => !allNames.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(", ")} (known: ${allNames.join(", ")}, all)`);
    return 2;
  }
  for (const name of new Set(requested)) {
    if (name === "compare") await runCompare();
    else await runExternal(name);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
