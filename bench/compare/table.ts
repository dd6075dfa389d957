/** The printed table: one line per (provider, workload). */
import type { BenchEntry, BenchReport } from "./report.js";

const ms = (v: number | null): string => (v === null ? "n/a" : v.toFixed(1));
const x = (v: number | null): string => (v === null ? "—" : `${v.toFixed(2)}×`);

function goalCell(entry: BenchEntry): string {
  if (entry.goal === null) return "";
  const verdict = entry.goal.met === null ? "?" : entry.goal.met ? "met" : "MISSED";
  return `${entry.goal.text}: ${verdict}`;
}

const header = [
  "db",
  "workload",
  "plain ms",
  "ours ms",
  "pfe ms",
  "ours/plain",
  "ours/pfe",
  "KMS calls",
  "KMS busy ms",
  "limiter wait ms",
  "quota floor ms",
  "429s",
  "goal",
];

export function formatTable(report: BenchReport): string {
  const rows = report.entries.map((e) => [
    e.provider,
    e.name,
    ms(e.ms.plain),
    ms(e.ms.ours),
    ms(e.ms.pfe),
    x(e.ratios.oursPlain),
    x(e.ratios.oursPfe),
    e.kmsCalls === null ? "—" : String(e.kmsCalls),
    e.kmsBusyMs === null ? "—" : e.kmsBusyMs.toFixed(1),
    e.limiterWaitMs === null ? "—" : e.limiterWaitMs.toFixed(1),
    e.quotaFloorMs === null ? "—" : e.quotaFloorMs.toFixed(1),
    String(e.throttled),
    goalCell(e),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i >= 2 && i <= 11 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
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
  for (const e of report.entries) if (e.note && !e.throughput) out.push(`${e.provider} ${e.id}: ${e.note}`);
  out.push(`429s over the whole run: ${report.throttled} (goal: 0)`);
  for (const reason of report.unavailable) out.push(`not run: ${reason}`);
  return out.join("\n");
}
