/**
 * Rendering progress and the summary as text: a single line for a TTY (redrawn
 * in place by the CLI), the same line for logs, and the final summary. Pure
 * functions of the snapshots; they print counts, names and ids, never values.
 */
import type { MigrateProgress, MigrateSummary } from "./types.js";

const int = new Intl.NumberFormat("en-US");

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, "0");
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** Rows per second so far (0 before anything was done). */
export function rate(done: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
}

/** `rotate User [searchable]  4,000/10,000 rows (40%)  1,523 rows/s  ETA 0:04  KMS 12 req  0 × 429` */
export function formatProgressLine(p: MigrateProgress): string {
  const perSecond = rate(p.rowsDone, p.elapsedMs);
  const remaining = Math.max(0, p.rowsTotal - p.rowsDone);
  const eta = perSecond > 0 ? (remaining / perSecond) * 1000 : Number.NaN;
  const pct = p.rowsTotal > 0 ? Math.min(100, Math.floor((p.rowsDone / p.rowsTotal) * 100)) : 100;
  return (
    `${p.mode} ${p.model} [${p.pass}]  ${int.format(p.rowsDone)}/${int.format(p.rowsTotal)} rows (${pct}%)  ` +
    `${int.format(Math.round(perSecond))} rows/s  ETA ${formatDuration(eta)}  ` +
    `KMS ${int.format(p.kmsRequests)} req  ${int.format(p.kmsThrottled)} × 429`
  );
}

/** The human summary printed at the end of a run. */
export function formatSummary(s: MigrateSummary): string {
  const lines: string[] = [];
  const head = `${s.mode}${s.dryRun ? " (dry run: nothing written)" : ""}${s.shard ? ` shard ${s.shard.index + 1}/${s.shard.count}` : ""}`;
  lines.push(`${head}${s.interrupted ? " — INTERRUPTED, resume with --resume" : ""}`);
  const versions = Object.entries(s.keyVersions).map(([k, v]) => `${k}=v${v}`);
  if (versions.length > 0) lines.push(`  newest key versions: ${versions.join(", ")}`);
  else if (s.dryRun && (s.mode === "rotate" || s.mode === "status"))
    lines.push("  newest key versions: not known (a dry run makes no KMS call)");
  // `status`, and a dry `rotate` (which tallies versions instead of asking the KMS).
  for (const f of s.status) {
    const byVersion = Object.entries(f.byVersion)
      .map(([v, n]) => `v${v}: ${int.format(n)}`)
      .join(", ");
    lines.push(
      `  ${f.model}.${f.field}: ${int.format(f.rows)} rows; ${byVersion || "no ciphertext"}; ` +
        `plaintext ${int.format(f.plaintext)}; null ${int.format(f.nulls)}; ` +
        `undecryptable ${s.dryRun ? "not checked" : int.format(f.undecryptable)}`,
    );
  }
  if (s.mode !== "status") {
    lines.push(
      `  rows scanned ${int.format(s.rowsScanned)}; values ${s.dryRun ? "to migrate" : "migrated"} ${int.format(s.migrated)}, ` +
        `skipped ${int.format(s.skipped)}, conflicted ${int.format(s.conflicted)} (app wrote them; left as written), ` +
        `failed ${int.format(s.failed)}`,
    );
  }
  lines.push(
    `  time ${formatDuration(s.durationMs)} (${int.format(Math.round(rate(s.rowsScanned, s.durationMs)))} rows/s); ` +
      `KMS ${int.format(s.kmsRequests)} requests, ${int.format(s.kmsThrottled)} × 429`,
  );
  for (const f of s.failures.slice(0, 50)) {
    const other = f.conflictsWith ? ` (same value as ${JSON.stringify(f.conflictsWith, jsonSafe)})` : "";
    lines.push(`  FAILED ${f.model}.${f.field} id ${JSON.stringify(f.id, jsonSafe)}: ${f.code}${other}`);
  }
  if (s.failed > 50) lines.push(`  … and ${int.format(s.failed - 50)} more failures (see --json)`);
  for (const path of s.checkpoints) lines.push(`  checkpoint kept: ${path}`);
  return lines.join("\n");
}

/** JSON.stringify replacer for ids: BigInt as a string. */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
