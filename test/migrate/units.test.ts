import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkpointPath, readCheckpoint, writeCheckpoint } from "../../src/migrate/checkpoint.js";
import { afterKey, allOf, inRange } from "../../src/migrate/keyset.js";
import { planPasses, selectTargets } from "../../src/migrate/plan.js";
import { createFilePlanStore } from "../../src/migrate/plan-store.js";
import { formatDuration, formatProgressLine, formatSummary } from "../../src/migrate/progress.js";
import { parseShard, rangeOf } from "../../src/migrate/shard.js";
import type { MigrateSummary } from "../../src/migrate/types.js";
import { map } from "./fixtures.js";

const keys = { default: "tag-d", searchable: "tag-s" };

describe("keyset predicates", () => {
  it("expands a compound key lexicographically", () => {
    expect(afterKey(["id"], [7])).toEqual({ id: { gt: 7 } });
    expect(afterKey(["tenant", "seq"], ["b", 3])).toEqual({
      OR: [{ tenant: { gt: "b" } }, { tenant: "b", seq: { gt: 3 } }],
    });
    expect(afterKey(["id"], null)).toBeNull();
  });
  it("bounds a shard range on the first id field, half-open", () => {
    expect(inRange(["id"], { from: 10, to: 20 })).toEqual({ id: { gte: 10, lt: 20 } });
    expect(inRange(["id"], { from: null, to: null })).toBeNull();
    expect(allOf(null, { a: 1 }, { b: 2 })).toEqual({ AND: [{ a: 1 }, { b: 2 }] });
  });
});

describe("shards", () => {
  it("parses k/n and rejects nonsense", () => {
    expect(parseShard("2/3")).toEqual({ index: 1, count: 3 });
    for (const bad of ["0/3", "4/3", "a/b", "3"]) expect(() => parseShard(bad)).toThrow(/k\/n/);
  });
  it("covers the whole key space once: open first and last ranges", () => {
    const bounds = [100, 200];
    const ranges = [0, 1, 2].map((index) => rangeOf(bounds, { index, count: 3 }));
    expect(ranges).toEqual([
      { from: null, to: 100 },
      { from: 100, to: 200 },
      { from: 200, to: null },
    ]);
    // An empty table: shard 1 takes everything, the others nothing.
    expect(rangeOf([], { index: 0, count: 3 })).toEqual({ from: null, to: null });
    expect(rangeOf([], { index: 2, count: 3 })).toBeNull();
  });
  it("the first process's plan wins; later ones read it", async () => {
    const store = createFilePlanStore(mkdtempSync(join(tmpdir(), "pnk-plan-")));
    expect(await store.getOrSet("k", async () => "[1,2]")).toBe("[1,2]");
    expect(await store.getOrSet("k", async () => "[9,9]")).toBe("[1,2]");
  });
});

describe("checkpoint files", () => {
  it("round-trip keys of every id type, written atomically (no temp file left)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pnk-cp-"));
    const path = checkpointPath(dir, "rotate", "AuditEntry", { index: 1, count: 3 });
    expect(path).toBe(join(dir, "rotate-AuditEntry.shard-2-of-3.json"));
    const after = ["tenant-ä", 42, 9007199254740993n, new Date("2024-01-02T03:04:05.000Z")] as const;
    await writeCheckpoint(path, {
      mode: "rotate",
      model: "AuditEntry",
      shard: { index: 1, count: 3 },
      fields: ["actor", "payload"],
      range: { from: "a", to: null },
      passes: { searchable: { after: [...after], done: false } },
    });
    expect(readdirSync(dir)).toEqual(["rotate-AuditEntry.shard-2-of-3.json"]);
    const back = await readCheckpoint(path, { index: 1, count: 3 });
    expect(back?.passes.searchable?.after).toEqual([...after]);
    expect(back?.range).toEqual({ from: "a", to: null });
    expect(await readCheckpoint(join(dir, "none.json"), null)).toBeNull();
    writeFileSync(path, "{ torn");
    await expect(readCheckpoint(path, null)).rejects.toMatchObject({ code: "MIGRATE_CHECKPOINT_INVALID" });
  });
});

describe("planning", () => {
  it("selects by model and field and puts searchable fields first", () => {
    const targets = selectTargets(map, keys, { fields: ["User.email", "phone", "AuditEntry.actor"] });
    expect(targets.map((t) => [t.model, t.fields.map((f) => f.name)])).toEqual([
      ["AuditEntry", ["actor"]],
      ["User", ["email", "phone"]],
    ]);
    const passes = planPasses("rotate", targets);
    expect(
      passes.map((p) => [p.pass, p.models.map((m) => `${m.target.model}:${m.fields.map((f) => f.name)}`)]),
    ).toEqual([
      ["searchable", ["AuditEntry:actor", "User:email"]],
      ["other", ["User:phone"]],
    ]);
    const email = targets[1]!.fields[0]!;
    expect(email.unique).toBe(true);
    expect(email.context).toBeInstanceOf(Uint8Array);
    expect(targets[1]!.fields[1]!.context).toBeUndefined();
  });
  it("names what is unknown or missing", () => {
    expect(() => selectTargets(map, keys, { fields: ["User.name"] })).toThrow(/User\.name/);
    expect(() => selectTargets(map, { default: "x" }, {})).toThrow(/searchable/);
  });
});

describe("progress text", () => {
  it("shows rows, rate, ETA, KMS requests and 429s", () => {
    const line = formatProgressLine({
      mode: "rotate",
      model: "User",
      pass: "other",
      rowsTotal: 10_000,
      rowsDone: 2_500,
      elapsedMs: 5_000,
      kmsRequests: 12,
      kmsThrottled: 0,
      rowsScanned: 2_500,
      migrated: 2_000,
      skipped: 500,
      conflicted: 0,
      failed: 0,
    });
    expect(line).toBe(
      "rotate User [other]  2,500/10,000 rows (25%)  500 rows/s  ETA 0:15  KMS 12 req  0 × 429",
    );
    expect(formatDuration(3_723_000)).toBe("1:02:03");
  });
  it("the summary lists failures by model, field and id", () => {
    const summary: MigrateSummary = {
      mode: "rotate",
      dryRun: false,
      shard: null,
      durationMs: 2_000,
      kmsRequests: 3,
      kmsThrottled: 0,
      keyVersions: { default: 3 },
      failures: [{ model: "User", field: "phone", id: { id: 7 }, code: "KMS_BAD_REQUEST" }],
      status: [],
      checkpoints: [],
      interrupted: false,
      rowsScanned: 10,
      migrated: 9,
      skipped: 0,
      conflicted: 0,
      failed: 1,
    };
    const text = formatSummary(summary);
    expect(text).toContain('FAILED User.phone id {"id":7}: KMS_BAD_REQUEST');
    expect(text).toContain("rows scanned 10; values migrated 9");
  });
});
