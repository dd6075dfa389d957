/**
 * Migration throughput: 100,000 rows × 2 encrypted fields (a searchable one
 * and a plain one) rotated with `runMigration` on SQLite and PostgreSQL,
 * against the emulator at NCP's API 2.0 quota (300 requests/s per key) with
 * the client's default limiter (270/s). The migration runs as the real CLI
 * (`prisma-ncp-kms migrate rotate --json`) in a child process, so its RSS is
 * its own: sampled from /proc every 250 ms (peak, and at 25% and at the end
 * to show whether it stays flat); the emulator and the seeding stay in this
 * process. Reports rows/s against the bound `TPS × values per request`, KMS
 * requests, 429s (goal 0) and peak RSS (goal flat, ≤ 200 MB). Prints a
 * table; writes `bench/results/migrate.json` (or BENCH_MIGRATE_OUT). Never
 * fails on time.
 *
 * The CLI runs as users run it: `node dist/cli/main.js` (run `npm run build`
 * first). BENCH_MIGRATE_RUNNER=tsx runs `node --import tsx src/cli/main.ts`
 * instead (the sources, no build; tsx's own transform cache adds RSS).
 *
 *   npm run build && npx tsx bench/migrate.ts
 *   BENCH_MIGRATE_ROWS=20000 BENCH_PROVIDERS=sqlite npx tsx bench/migrate.ts
 *   BENCH_MIGRATE_ROWS=20000,200000 npx tsx bench/migrate.ts   # several sizes in one go
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../src/emulator/index.js";
import { bindingTag, encodeEnvelope, searchableContext } from "../src/field-crypto/envelope.js";
import { createKmsClient } from "../src/kms/index.js";
import { createTestDatabase, type Provider } from "../test/helpers/databases.js";

type Runner = "dist" | "tsx";

interface MigrateBenchRow {
  provider: Provider;
  /** How the CLI ran: the build output with plain node, or the sources through tsx. */
  runner: Runner;
  rows: number;
  values: number;
  seconds: number;
  rowsPerSecond: number;
  valuesPerSecond: number;
  kmsRequests: number;
  valuesPerRequest: number;
  tps: number;
  /** `tps × valuesPerRequest`: values/s the quota allows. */
  boundValuesPerSecond: number;
  throttled: number;
  failed: number;
  /** Peak RSS of the migration process. */
  peakRssMb: number;
  /** RSS 1 s after the start (modules and clients loaded), to tell fixed cost from growth. */
  rssAtStartMb: number;
  rssAtQuarterMb: number;
  rssAtEndMb: number;
  /**
   * The largest heap in use right after a major GC in the child (a
   * PerformanceObserver preloaded with --import; no GC is forced): what the
   * run keeps alive. Flat in rows means nothing accumulates; RSS above it is
   * the fixed cost (Node, Prisma's query compiler, tsx for a TS config) plus
   * garbage V8 lets pile up between major GCs.
   */
  liveHeapMb: number;
}

/** Preloaded into the child: heap in use after each major GC, the max written to a file. */
const liveHeapProbe = `
import { writeFileSync } from "node:fs";
import { constants, PerformanceObserver } from "node:perf_hooks";
let max = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    max = Math.max(max, process.memoryUsage().heapUsed);
    writeFileSync(process.env.BENCH_LIVE_HEAP_FILE, String(max));
  }
}).observe({ entryTypes: ["gc"] });
`;

const root = fileURLToPath(new URL("..", import.meta.url));
const cliConfig = fileURLToPath(new URL("../test/migrate/cli-config.ts", import.meta.url));
const distCli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

function cliCommand(runner: Runner): string[] {
  if (runner === "tsx") return ["--import", "tsx", "src/cli/main.ts"];
  if (!existsSync(distCli)) throw new Error("dist/cli/main.js is missing: run `npm run build` first");
  return [distCli];
}

/** Resident set size of a process in kB (Linux /proc), or null when unavailable. */
function rssKb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function benchProvider(provider: Provider, rows: number, runner: Runner): Promise<MigrateBenchRow> {
  const emulator = await startEmulator({ port: 0, tpsV2: 100_000 });
  const def = await emulator.createKey({ keyName: "bench-default" });
  const search = await emulator.createKey({ keyName: "bench-search", isConvergent: true });
  const auth = { type: "signature" as const, ...emulator.credentials };
  const seeder = createKmsClient({ endpoint: emulator.url, auth, tps: 50_000 });
  const db = await createTestDatabase(provider);
  try {
    // Seed: rows encrypted exactly as the extension writes them, on version 1.
    const app = db.client();
    const emailTag = bindingTag("User.email");
    const phoneTag = bindingTag("User.phone");
    const chunk = 5_000;
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const emails = Array.from({ length: n }, (_, i) =>
        encodeEnvelope("String", emailTag, `user${start + i}@example.com`),
      );
      const phones = Array.from({ length: n }, (_, i) =>
        encodeEnvelope("String", phoneTag, `+82-10-${start + i}`),
      );
      const [ce, cp] = await Promise.all([
        seeder.encryptMany(search.keyTag, searchableContext("User.email"), emails),
        seeder.encryptMany(def.keyTag, undefined, phones),
      ]);
      await app.user.createMany({ data: ce.map((email, i) => ({ email, phone: cp[i]! })) });
    }
    await seeder.close();
    await emulator.rotateKey(def.keyTag);
    await emulator.rotateKey(search.keyTag);

    const probeDir = mkdtempSync(join(tmpdir(), "pnk-bench-heap-"));
    const probe = { script: join(probeDir, "probe.mjs"), out: join(probeDir, "live-heap.txt") };
    writeFileSync(probe.script, liveHeapProbe);
    // Measure: NCP's real quota, the client's defaults, the CLI in its own process.
    emulator.setQuota({ tpsV2: 300 });
    emulator.resetStats();
    const tps = 270;
    const child = spawn(
      process.execPath,
      [
        ...cliCommand(runner),
        "migrate",
        "rotate",
        // As an app runs it: the schema's own client (one provider, one
        // adapter), not the tests' config that loads all three clients.
        ...(process.env.BENCH_MIGRATE_CONFIG === "1"
          ? ["--config", cliConfig]
          : ["--schema", join(root, "prisma/generated", provider, "schema.prisma")]),
        "--model",
        "User",
        "--json",
        "--state-dir",
        mkdtempSync(join(tmpdir(), "pnk-bench-migrate-")),
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          // e.g. `--max-old-space-size=96` to see how RSS responds to a smaller heap.
          NODE_OPTIONS: `${process.env.BENCH_MIGRATE_NODE_OPTIONS ?? ""} --import=${probe.script}`,
          BENCH_LIVE_HEAP_FILE: probe.out,
          TEST_MIGRATE_PROVIDER: provider,
          TEST_MIGRATE_DB_URL: db.url,
          DATABASE_URL: db.url,
          NCP_KMS_ENDPOINT: emulator.url,
          NCP_ACCESS_KEY: emulator.credentials.accessKey,
          NCP_SECRET_KEY: emulator.credentials.secretKey,
          NCP_KMS_KEYS: `default=${def.keyTag},searchable=${search.keyTag}`,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const samples: number[] = [];
    const liveHeap = () => (existsSync(probe.out) ? mb(Number(readFileSync(probe.out, "utf8"))) : 0);
    const startedAt = Date.now();
    let atStart = 0;
    const sampler = setInterval(() => {
      const kb = rssKb(child.pid);
      if (kb !== null) samples.push(kb * 1024);
      if (atStart === 0 && Date.now() - startedAt >= 1000) atStart = samples.at(-1) ?? 0;
    }, 250);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`migrate exited ${code}: ${stderr.slice(-2000)}`);
    const summary = JSON.parse(stdout) as {
      migrated: number;
      failed: number;
      durationMs: number;
      kmsRequests: number;
    };
    const seconds = summary.durationMs / 1000;
    const values = summary.migrated;
    const reencryptRequests = summary.kmsRequests - 2; // minus the two version probes
    const valuesPerRequest = reencryptRequests > 0 ? values / reencryptRequests : 0;
    return {
      provider,
      runner,
      rows,
      values,
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond: Math.round(rows / seconds),
      valuesPerSecond: Math.round(values / seconds),
      kmsRequests: summary.kmsRequests,
      valuesPerRequest: Math.round(valuesPerRequest),
      tps,
      boundValuesPerSecond: Math.round(tps * valuesPerRequest),
      throttled: emulator.stats().throttled,
      failed: summary.failed,
      peakRssMb: mb(samples.reduce((a, b) => Math.max(a, b), 0)),
      rssAtStartMb: mb(atStart),
      rssAtQuarterMb: mb(samples[Math.floor(samples.length / 4)] ?? 0),
      rssAtEndMb: mb(samples.at(-1) ?? 0),
      liveHeapMb: liveHeap(),
    };
  } finally {
    await db.drop();
    await emulator.close();
  }
}

function table(rows: readonly MigrateBenchRow[]): string {
  const head = [
    "provider",
    "rows",
    "s",
    "rows/s",
    "values/s",
    "bound values/s",
    "KMS req",
    "values/req",
    "429s",
    "failed",
    "RSS MB 1s→25%→end (peak)",
    "live heap MB (max after major GC)",
    "runner",
  ];
  const lines = rows.map((r) => [
    r.provider,
    String(r.rows),
    String(r.seconds),
    String(r.rowsPerSecond),
    String(r.valuesPerSecond),
    `${r.boundValuesPerSecond} (${r.tps}×${r.valuesPerRequest})`,
    String(r.kmsRequests),
    String(r.valuesPerRequest),
    String(r.throttled),
    String(r.failed),
    `${r.rssAtStartMb}→${r.rssAtQuarterMb}→${r.rssAtEndMb} (${r.peakRssMb})`,
    String(r.liveHeapMb),
    r.runner,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [fmt(head), ...lines.map(fmt)].join("\n");
}

/** Runs the benchmark; returns (and writes) the figures. */
export async function runMigrateBench(): Promise<object> {
  const sizes = (process.env.BENCH_MIGRATE_ROWS ?? "100000").split(",").map((n) => Number(n.trim()));
  const providers = (process.env.BENCH_PROVIDERS ?? "sqlite,postgresql")
    .split(",")
    .map((p) => p.trim() as Provider);
  const runner: Runner = process.env.BENCH_MIGRATE_RUNNER === "tsx" ? "tsx" : "dist";
  const results: MigrateBenchRow[] = [];
  for (const provider of providers) {
    for (const rows of sizes) results.push(await benchProvider(provider, rows, runner));
  }
  const report = {
    benchmark: "migrate",
    date: new Date().toISOString(),
    node: process.version,
    // The machine may be shared: the 1-minute load average at the end, for reading the times.
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    results,
  };
  const path =
    process.env.BENCH_MIGRATE_OUT ?? join(dirname(fileURLToPath(import.meta.url)), "results", "migrate.json");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(results)}\nload average ${report.loadAverage.join(" ")}; written: ${path}\n`);
  return report;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runMigrateBench();
}
