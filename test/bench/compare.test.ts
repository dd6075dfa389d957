/**
 * Smoke test of the side-by-side benchmark: the whole harness at 1/200 of
 * its size on SQLite, so it cannot rot. Asserts the report's shape and the
 * facts that do not depend on speed (KMS calls, pass-through, 429s).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchReport, runCompareBench } from "../../bench/compare/index.js";
import { pfeSchema } from "../../bench/compare/pfe.js";

describe("bench compare (BENCH_SCALE 0.005, SQLite)", () => {
  const outDir = mkdtempSync(join(tmpdir(), "pnk-bench-"));
  let report: BenchReport;
  let path: string;

  beforeAll(async () => {
    ({ report, path } = await runCompareBench({
      scale: 0.005,
      repetitions: 1,
      providers: ["sqlite"],
      latenciesMs: [0],
      outDir,
    }));
  }, 60_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  const entry = (id: string) => {
    const found = report.entries.find((e) => e.id === id);
    if (found === undefined) throw new Error(`no entry ${id}`);
    return found;
  };

  it("writes latest.json with one entry per workload and the metadata", () => {
    const written = JSON.parse(readFileSync(path, "utf8")) as BenchReport;
    expect(path).toBe(join(outDir, "latest.json"));
    expect(written.entries.map((e) => e.id)).toEqual([
      "create-one-by-one",
      "create-many",
      "find-many",
      "find-unique-concurrent",
      "plain-model",
      "read-mix",
      "read-mix-own-writes",
      "migrate-rotate",
    ]);
    expect(written.providers).toEqual(["sqlite"]);
    expect(written.node).toBe(process.version);
    expect(written.emulator.quotaTpsPerKey).toBe(300);
    expect(written.emulator.latenciesMs).toEqual([0]);
    for (const e of written.entries) {
      expect(e.provider).toBe("sqlite");
      expect(e.kmsLatencyMs).toBe(0);
      expect(Object.keys(e.ms).sort()).toEqual(["ours", "oursNoCache", "pfe", "plain"]);
      expect(e.ms.ours).toBeGreaterThan(0);
    }
  });

  it("measures every variant where it applies, and says why pfe cannot search", () => {
    for (const id of ["create-one-by-one", "create-many", "find-many", "plain-model"]) {
      const e = entry(id);
      expect(e.ms.plain).toBeGreaterThan(0);
      expect(e.ms.pfe).toBeGreaterThan(0);
      expect(e.ratios.oursPlain).toBeCloseTo(e.ms.ours! / e.ms.plain!, 2);
      expect(e.ratios.oursPfe).toBeCloseTo(e.ms.ours! / e.ms.pfe!, 2);
    }
    const search = entry("find-unique-concurrent");
    expect(search.ms.pfe).toBeNull();
    expect(search.ratios.oursPfe).toBeNull();
    expect(search.note).toMatch(/pfe: n\/a/);
  });

  it("counts KMS calls: batched for bulk work, none for a model with no encrypted field", () => {
    // 5 creates one by one × 2 fields (two keys): one request per field per create.
    expect(entry("create-one-by-one").kmsCalls).toBe(10);
    // 50 rows × 2 fields fit one request per key.
    expect(entry("create-many").kmsCalls).toBe(2);
    // Reads after a warm run come from the cache; with it off, one request per key.
    expect(entry("find-many").kmsCalls).toBe(0);
    expect(entry("find-many").kmsCallsNoCache).toBe(2);
    expect(entry("find-many").cacheHitRate).toBe(1);
    expect(entry("plain-model").kmsCalls).toBe(0);
    // The quota floor: requests on the busiest key at 300 TPS (5 creates → 5 per key).
    expect(entry("create-one-by-one").quotaFloorMs).toBeCloseTo((5 / 300) * 1000, 1);
    expect(entry("plain-model").quotaFloorMs).toBe(0);
    expect(report.throttled).toBe(0);
  });

  it("runs the read mix: per-operation figures, hit rate, fewer KMS calls with the cache", () => {
    const e = entry("read-mix");
    expect(e.rows).toBe(50);
    expect(e.ms.plain).toBeGreaterThan(0);
    expect(e.ms.oursNoCache).toBeGreaterThan(0);
    expect(e.ms.pfe).toBeGreaterThan(0);
    expect(Object.keys(e.operations?.ours ?? {}).sort()).toEqual(["byEmail", "byId", "listPage"]);
    expect(Object.keys(e.operations?.pfe ?? {}).sort()).toEqual(["byId", "listPage"]);
    const byId = e.operations!.ours!.byId!;
    expect(byId.count).toBe(10);
    expect(byId.p99Ms).toBeGreaterThanOrEqual(byId.p50Ms);
    expect(e.cacheHitRate).toBeGreaterThan(0);
    expect(e.kmsCalls!).toBeLessThan(e.kmsCallsNoCache!);
    expect(e.cacheBytes!).toBeLessThanOrEqual(16 * 1024 * 1024);
    const ops = e.operations!;
    const pfeOps = (v: "ours" | "pfe") => ops[v]!.byId!.totalMs + ops[v]!.listPage!.totalMs;
    expect(e.ratios.oursPfe).toBeCloseTo(pfeOps("ours") / pfeOps("pfe"), 2);
    // Rows this process wrote: everything from the cache, no KMS call.
    const own = entry("read-mix-own-writes");
    expect(own.kmsCalls).toBe(0);
    expect(own.cacheHitRate).toBe(1);
    expect(own.ms.oursNoCache).toBeNull();
  });

  it("reports the rotation against the quota bound", () => {
    const e = entry("migrate-rotate");
    expect(e.rows).toBe(500);
    expect(e.ms.plain).toBeNull();
    expect(e.throughput?.quotaTpsPerKey).toBe(300);
    expect(e.throughput?.valuesPerRequest).toBeGreaterThan(0);
    expect(e.throughput?.quotaBound).toBe(Math.round(300 * e.throughput!.valuesPerRequest));
    expect(e.goal?.text).toMatch(/quota bound/);
  });

  it("rewrites the schema to pfe's grammar on User.email and User.phone only", () => {
    const schema = pfeSchema();
    expect(schema).toMatch(/email\s+String\s+@unique \/\/\/ @encrypted\n/);
    expect(schema).toMatch(/phone\s+String\? \/\/\/ @encrypted\n/);
    expect(schema).not.toMatch(/@encrypted\(/);
    expect(schema.match(/@encrypted/g)).toHaveLength(2);
  });
});
