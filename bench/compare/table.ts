/** The printed table: one line per (provider, KMS latency, workload), then the read mix per operation. */
import type { BenchEntry, BenchReport } from "./report.js";
import { type VariantName, variantNames } from "./variants.js";

const ms = (v: number | null): string => (v === null ? "n/a" : v.toFixed(1));
const x = (v: number | null): string => (v === null ? "—" : `${v.toFixed(2)}×`);
const pct = (v: number | null): string => (v === null ? "—" : `${(v * 100).toFixed(1)} %`);
const count = (v: number | null): string => (v === null ? "—" : String(v));

function goalCell(entry: BenchEntry): string {
  if (entry.goal === null) return "";
  const verdict = entry.goal.met === null ? "?" : entry.goal.met ? "met" : "MISSED";
  return `${entry.goal.text}: ${verdict}`;
}

const header = [
  "db",
  "KMS ms",
  "workload",
  "plain ms",
  "ours ms",
  "ours no-cache ms",
  "pfe ms",
  "ours/plain",
  "ours/pfe",
  "no-cache/plain",
  "KMS calls",
  "KMS calls no-cache",
  "hit rate",
  "KMS busy ms",
  "limiter wait ms",
  "quota floor ms",
  "429s",
  "goal",
];
const firstNumeric = 3;
const lastNumeric = header.length - 2;

const labels: Record<VariantName, string> = {
  plain: "plain",
  ours: "ours",
  oursNoCache: "ours no-cache",
  pfe: "pfe",
};

/** Lines per operation of the entries that time them: count, total, p50, p99 per variant. */
function operationLines(entries: readonly BenchEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (e.operations === undefined) continue;
    out.push(
      `${e.provider} @${e.kmsLatencyMs} ms ${e.id} per operation (total ms per run; p50 / p99 ms per call):`,
    );
    for (const variant of variantNames) {
      const ops = e.operations[variant];
      if (ops === undefined) continue;
      const cells = Object.entries(ops).map(
        ([name, s]) =>
          `${name} ×${s.count}: ${s.totalMs.toFixed(1)} (${s.p50Ms.toFixed(2)} / ${s.p99Ms.toFixed(2)})`,
      );
      out.push(`  ${labels[variant].padEnd(14)} ${cells.join("  ")}`);
    }
  }
  return out;
}

export function formatTable(report: BenchReport): string {
  const rows = report.entries.map((e) => [
    e.provider,
    String(e.kmsLatencyMs),
    e.name,
    ms(e.ms.plain),
    ms(e.ms.ours),
    ms(e.ms.oursNoCache),
    ms(e.ms.pfe),
    x(e.ratios.oursPlain),
    x(e.ratios.oursPfe),
    x(e.ratios.oursNoCachePlain),
    count(e.kmsCalls),
    count(e.kmsCallsNoCache),
    pct(e.cacheHitRate),
    e.kmsBusyMs === null ? "—" : e.kmsBusyMs.toFixed(1),
    e.limiterWaitMs === null ? "—" : e.limiterWaitMs.toFixed(1),
    e.quotaFloorMs === null ? "—" : e.quotaFloorMs.toFixed(1),
    String(e.throttled),
    goalCell(e),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i >= firstNumeric && i <= lastNumeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  for (const e of report.entries) {
    if (e.throughput) {
      const t = e.throughput;
      out.push(
        `${e.provider} migration: ${t.valuesPerSecond.toLocaleString("en-US")} values/s; quota bound ` +
          `${t.quotaTpsPerKey} TPS × ${t.valuesPerRequest} values/request = ${t.quotaBound.toLocaleString("en-US")} values/s ` +
          `(${x(t.ofBound)}); KMS in flight ${ms(e.kmsBusyMs)} of ${ms(e.ms.ours)} ms`,
      );
    }
  }
  out.push(...operationLines(report.entries));
  const notes = new Set<string>();
  for (const e of report.entries) if (e.note && !e.throughput) notes.add(`${e.id}: ${e.note}`);
  out.push(...notes);
  out.push(`429s over the whole run: ${report.throttled} (goal: 0)`);
  for (const reason of report.unavailable) out.push(`not run: ${reason}`);
  return out.join("\n");
}
