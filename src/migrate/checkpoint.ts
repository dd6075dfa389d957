/**
 * Checkpoint files: one JSON file per (mode, model, shard) in the state
 * directory, rewritten atomically (temp file, fsync, rename) after every
 * committed page, so a killed run leaves either the previous or the new
 * checkpoint — never a torn one. A model that finishes cleanly deletes its
 * file: a file on disk always means "an unfinished run".
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { MigrateCheckpointInvalidError } from "./errors.js";
import { idFromJson, idToJson, type JsonIdValue } from "./key-json.js";
import type { KeyRange } from "./keyset.js";
import type { MigrateMode, RowKey, ShardSpec } from "./types.js";

export type PassName = "searchable" | "other" | "all";

export interface PassState {
  /** Last key of the last committed page, `null` before the first. */
  after: RowKey | null;
  done: boolean;
}

export interface Checkpoint {
  mode: MigrateMode;
  model: string;
  shard: ShardSpec | null;
  /** The fields this run migrates, sorted; a resume must name the same. */
  fields: string[];
  range: KeyRange | null;
  passes: Partial<Record<PassName, PassState>>;
}

interface CheckpointFile {
  version: 1;
  mode: MigrateMode;
  model: string;
  shard: string | null;
  fields: string[];
  range: { from: JsonIdValue | null; to: JsonIdValue | null } | null;
  passes: Partial<Record<PassName, { after: JsonIdValue[] | null; done: boolean }>>;
  updatedAt: string;
}

export function shardLabel(shard: ShardSpec | null): string | null {
  return shard === null ? null : `${shard.index + 1}/${shard.count}`;
}

/** `<stateDir>/rotate-User.json`, or `rotate-User.shard-2-of-3.json`. */
export function checkpointPath(
  stateDir: string,
  mode: MigrateMode,
  model: string,
  shard: ShardSpec | null,
): string {
  const suffix = shard === null ? "" : `.shard-${shard.index + 1}-of-${shard.count}`;
  return join(stateDir, `${mode}-${model}${suffix}.json`);
}

function toFile(cp: Checkpoint): CheckpointFile {
  const passes: CheckpointFile["passes"] = {};
  for (const [name, state] of Object.entries(cp.passes) as Array<[PassName, PassState]>) {
    passes[name] = { after: state.after === null ? null : state.after.map(idToJson), done: state.done };
  }
  return {
    version: 1,
    mode: cp.mode,
    model: cp.model,
    shard: shardLabel(cp.shard),
    fields: cp.fields,
    range:
      cp.range === null
        ? null
        : {
            from: cp.range.from === null ? null : idToJson(cp.range.from),
            to: cp.range.to === null ? null : idToJson(cp.range.to),
          },
    passes,
    updatedAt: new Date().toISOString(),
  };
}

function fromFile(path: string, raw: unknown, shard: ShardSpec | null): Checkpoint {
  const file = raw as Partial<CheckpointFile>;
  if (typeof file !== "object" || file === null || file.version !== 1) {
    throw new MigrateCheckpointInvalidError(path, "unknown format");
  }
  try {
    const passes: Checkpoint["passes"] = {};
    for (const [name, state] of Object.entries(file.passes ?? {})) {
      passes[name as PassName] = {
        after: state.after === null ? null : state.after.map(idFromJson),
        done: state.done === true,
      };
    }
    return {
      mode: file.mode as MigrateMode,
      model: String(file.model),
      shard,
      fields: (file.fields ?? []).map(String),
      range:
        file.range === null || file.range === undefined
          ? null
          : {
              from: file.range.from === null ? null : idFromJson(file.range.from),
              to: file.range.to === null ? null : idFromJson(file.range.to),
            },
      passes,
    };
  } catch {
    throw new MigrateCheckpointInvalidError(path, "malformed content");
  }
}

/** The checkpoint at `path`, or `null` when there is none. */
export async function readCheckpoint(path: string, shard: ShardSpec | null): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new MigrateCheckpointInvalidError(
      path,
      `cannot read it (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MigrateCheckpointInvalidError(path, "not JSON");
  }
  return fromFile(path, raw, shard);
}

/** Writes atomically: a reader (or a crash) sees the old file or the new one. */
export async function writeCheckpoint(path: string, cp: Checkpoint): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(`${JSON.stringify(toFile(cp), null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

export async function deleteCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}
