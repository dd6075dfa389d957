/**
 * `prisma-ncp-kms migrate rotate|encrypt|decrypt|status`: parses flags,
 * builds the Prisma client, map, keys and KMS client from a config file
 * and/or the schema and environment, runs the engine with a progress
 * display, prints the summary. The logic lives in `src/migrate/`.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { isNcpKmsError, type NcpKmsErrorCode } from "../../errors.js";
import {
  createKmsClient,
  createRedisRateLimiter,
  type KmsClient,
  type KmsClientOptions,
  kmsOptionsFromEnv,
  parseKeyTags,
} from "../../kms/index.js";
import {
  createRedisPlanStore,
  formatProgressLine,
  formatSummary,
  jsonSafe,
  type MigrateMode,
  type MigrateOptions,
  type MigrateProgress,
  type PlanStore,
  parseShard,
  type RedisLike,
  runMigration,
} from "../../migrate/index.js";
import type { EncryptionMap } from "../../schema/map.js";
import {
  adapterFromSchema,
  appSchema,
  type CliConfig,
  loadConfigFile,
  loadMapFromSchema,
  prismaFromSchema,
} from "../config.js";
import { formatErrorChain } from "../error-report.js";
import { memoryGuard } from "../memory-guard.js";

export const help = `Usage: prisma-ncp-kms migrate <rotate|encrypt|decrypt|status> [options]

Modes:
  rotate    move every ciphertext to its key's newest version (KMS re-encrypt:
            no plaintext leaves the KMS); rows already on it are skipped
  encrypt   encrypt columns newly marked @encrypted that still hold plaintext
            (values already holding ncpkms: ciphertext are skipped)
  decrypt   write plaintext back (before removing @encrypted)
  status    per Model.field: values by key version, plaintext, null and
            undecryptable values; writes nothing

Where the app is:
  (default)           as the Prisma CLI: prisma.config.ts in the working
                      directory (schema path, datasource.url), else
                      ./schema.prisma, ./prisma/schema.prisma or ./prisma/
                      (multi-file); the map comes from the prisma-ncp-kms
                      generator's output; rows are read and written through
                      the driver adapter for the datasource provider (SQL
                      from the map's database names; the prisma-client
                      generator's client only for a map from an older
                      generator, with a warning)
  --config <file>     JS/TS module exporting { prisma: () => PrismaClient, map,
                      keys, kms? } (named or default export). prisma must be the
                      generated client WITHOUT the encryption extension.
  --schema <path>     a schema file or a multi-file schema folder, instead of
                      prisma.config.ts's
  --key <name=tag>    key tag per key name (repeatable; also NCP_KMS_KEYS=
                      default=<tag>,searchable=<tag>); overrides the config

What to migrate:
  --model <Model>     only this model (repeatable)
  --field <M.field>   only this field (repeatable; a bare name matches every model)
  --rotate-key        rotate: rotate each key involved first (not on --resume)

How:
  --dry-run           scan and count what would change; no KMS call at all, no
                      write, no checkpoint. rotate: the newest key versions
                      are not known, so it counts values below the newest
                      version found in the data (with --rotate-key: every
                      ciphertext) and prints values per version; status:
                      counts only, nothing decrypted to check
  --batch-size <n>    rows per page (default 500)
  --concurrency <n>   pages in flight (default 2); a kill loses at most the
                      KMS work of concurrency × batch-size values
  --shard <k/n>       migrate the k-th of n ranges of every table; start n
                      processes (k = 1..n) with the same n, sharing the quota
                      through --redis-url; boundaries are agreed through Redis
                      (or, without it, a file in --state-dir)
  --run-id <name>     names a sharded run: its n processes must use the same
                      one; use a new one for each run (default "default")
  --redis-url <url>   share the KMS rate limit (and shard plans) through Redis
                      (default REDIS_URL)
  --state-dir <dir>   checkpoints and shard plans (default .prisma-ncp-kms)
  --resume            continue an interrupted run from its checkpoint
  --restart           ignore such a checkpoint and start over (finished rows
                      are still skipped: they are on the newest version)
  --memory-target <MB>
                      after a page, run a full garbage collection when the
                      process's RSS is above this (at most once a second;
                      default 160, 0: off): V8 otherwise lets a long run's
                      heap grow to several times what it keeps alive
  --json              print the summary as JSON on stdout
  -h, --help          this help

A checkpoint file per (mode, model, shard) is written after every committed
page and deleted when the model is done; a run refuses to start while one
exists unless --resume or --restart is given. Each value is written only if
the column still holds what was read, so concurrent app writes win (counted
as "conflicted"). Failed values are listed with model, field and id; the exit
code is then 1. Ctrl-C stops after the pages in flight (exit 130; --resume).

The newest key version is found by encrypting a probe value with each key
(no key-management permission needed; not in a dry run, which makes no KMS
call). An error that stops the run is printed with its causes, one
"caused by:" line each (codes and messages, never a secret).

Environment:
  NCP_KMS_ENDPOINT     KMS base URL (the emulator's, or NCP's default)
  NCP_ACCESS_KEY       NCP access key        NCP_SECRET_KEY  secret key
  NCP_API_GATEWAY_KEY  API Gateway key (API 1.0, signature v1)
  NCP_KMS_API          v2 (default) or v1
  NCP_KMS_TPS          requests per second for our limiter (default 270 / 180)
  REDIS_URL            as --redis-url
  NCP_KMS_KEYS         as --key
  DATABASE_URL         the database, when prisma.config.ts gives no datasource.url

Exit codes: 0 done, 1 failed values or an error, 2 bad usage, 130 interrupted.`;

const MODES = ["rotate", "encrypt", "decrypt", "status"] as const;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string" },
      schema: { type: "string" },
      key: { type: "string", multiple: true },
      model: { type: "string", multiple: true },
      field: { type: "string", multiple: true },
      "rotate-key": { type: "boolean" },
      "dry-run": { type: "boolean" },
      "batch-size": { type: "string" },
      concurrency: { type: "string" },
      shard: { type: "string" },
      "redis-url": { type: "string" },
      "run-id": { type: "string" },
      "state-dir": { type: "string" },
      resume: { type: "boolean" },
      restart: { type: "boolean" },
      json: { type: "boolean" },
      "memory-target": { type: "string" },
    },
  });
}

class UsageError extends Error {}

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

interface Redis extends RedisLike {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  quit(): Promise<unknown>;
}

async function connectRedis(url: string): Promise<Redis> {
  const mod = (await import("ioredis")) as unknown as { default: new (url: string, o: object) => Redis };
  return new mod.default(url, { maxRetriesPerRequest: 3, lazyConnect: false });
}

/** A progress display: a redrawn line on a TTY, a log line every few seconds otherwise. */
function progressDisplay(): { update(p: MigrateProgress): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  const every = tty ? 200 : Number(process.env.PRISMA_NCP_KMS_LOG_INTERVAL_MS ?? 5000);
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      const line = formatProgressLine(p);
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        drawn = true;
      } else {
        process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      }
    },
    end() {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  let mode: MigrateMode;
  let batchSize: number | undefined;
  let concurrency: number | undefined;
  let shard: MigrateOptions["shard"];
  let memoryTargetMb = DEFAULT_MEMORY_TARGET_MB;
  try {
    parsed = parse(argv);
    const [name, ...extra] = parsed.positionals;
    if (name === undefined || !(MODES as readonly string[]).includes(name)) {
      throw new UsageError(`a mode is required: ${MODES.join(", ")}`);
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    mode = name as MigrateMode;
    batchSize = intFlag("batch-size", parsed.values["batch-size"]);
    concurrency = intFlag("concurrency", parsed.values.concurrency);
    shard = parsed.values.shard === undefined ? undefined : parseShard(parsed.values.shard);
    const target = parsed.values["memory-target"];
    if (target !== undefined) {
      memoryTargetMb = Number(target);
      if (!Number.isInteger(memoryTargetMb) || memoryTargetMb < 0)
        throw new UsageError("--memory-target must be a whole number of MB (0: off)");
    }
    if (parsed.values.resume && parsed.values.restart)
      throw new UsageError("--resume and --restart exclude each other");
    if (parsed.values["rotate-key"] && mode !== "rotate")
      throw new UsageError("--rotate-key goes with rotate");
  } catch (error) {
    process.stderr.write(
      `prisma-ncp-kms migrate: ${(error as Error).message}\n\nRun 'prisma-ncp-kms migrate --help'.\n`,
    );
    return 2;
  }
  try {
    return await migrate(mode, parsed.values, { batchSize, concurrency, shard }, memoryTargetMb);
  } catch (error) {
    // Not left to main.ts: its one line would drop the cause (the KMS error naming the problem).
    process.stderr.write(`prisma-ncp-kms migrate: ${formatErrorChain(error)}\n`);
    return 1;
  }
}

type Flags = ReturnType<typeof parse>["values"];

/** `--memory-target` default, MB: keeps a run under the 200 MB goal with room for the driver's own buffers. */
const DEFAULT_MEMORY_TARGET_MB = 160;

/** What the engine refuses over a bare adapter (before any KMS call or row read): the client can still do it. */
const ADAPTER_REFUSALS: ReadonlySet<NcpKmsErrorCode> = new Set([
  "MIGRATE_MAP_INCOMPLETE",
  "MIGRATE_ADAPTER_UNSUPPORTED",
]);

async function migrate(
  mode: MigrateMode,
  v: Flags,
  { batchSize, concurrency, shard }: Pick<MigrateOptions, "batchSize" | "concurrency" | "shard">,
  memoryTargetMb: number,
): Promise<number> {
  const env = process.env;

  const config: CliConfig = v.config === undefined ? {} : await loadConfigFile(v.config);
  // The schema (and prisma.config.ts) is read only for what the config does not give.
  const app =
    config.map === undefined || config.prisma === undefined ? await appSchema(v.schema, env) : undefined;
  const map: EncryptionMap = config.map ?? (await loadMapFromSchema(app!));
  const keys = {
    ...(config.keys ?? {}),
    ...parseKeyTags(env.NCP_KMS_KEYS ? [env.NCP_KMS_KEYS] : [], "NCP_KMS_KEYS"),
    ...parseKeyTags(v.key ?? [], "--key"),
  };
  // With --config, the config's client. Otherwise the bare driver adapter (no generated client or
  // query compiler loaded: ~120 MB less RSS), or the schema's client when the map needs it.
  let prisma: unknown = config.prisma !== undefined ? await config.prisma() : undefined;
  const adapter = prisma === undefined ? await adapterFromSchema(app!) : undefined;

  const redisUrl = v["redis-url"] ?? (env.REDIS_URL || undefined);
  const redis = redisUrl === undefined ? undefined : await connectRedis(redisUrl);
  let kms: KmsClient | undefined;
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\nStopping after the pages in flight (again to quit now)…\n");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const display = progressDisplay();
  const memory =
    memoryTargetMb === 0 ? undefined : memoryGuard({ targetBytes: memoryTargetMb * 1024 * 1024 });
  try {
    const options: KmsClientOptions = kmsOptionsFromEnv(env, config.kms);
    if (redis !== undefined && options.rateLimiter === undefined) {
      const tps = options.tps ?? (options.api === "v1" ? 180 : 270);
      options.rateLimiter = createRedisRateLimiter({ redis, tps });
    }
    const client = createKmsClient(options);
    kms = client;
    const planStore: PlanStore | undefined = redis === undefined ? undefined : createRedisPlanStore(redis);
    const run = (database: { prisma: unknown } | { adapter: unknown }) =>
      runMigration({
        ...database,
        map,
        kms: client,
        keys,
        mode,
        models: v.model,
        fields: v.field,
        dryRun: v["dry-run"] === true,
        batchSize,
        concurrency,
        resume: v.resume === true,
        restart: v.restart === true,
        stateDir: v["state-dir"],
        rotateKeys: v["rotate-key"] === true,
        shard,
        runId: v["run-id"],
        planStore,
        signal: controller.signal,
        onProgress: (p) => {
          display.update(p);
          memory?.check();
        },
        logger: {
          info: (m) => process.stderr.write(`${m}\n`),
          warn: (m) => process.stderr.write(`warning: ${m}\n`),
        },
      });
    let summary: Awaited<ReturnType<typeof runMigration>>;
    try {
      summary = await run(prisma === undefined ? { adapter } : { prisma });
    } catch (error) {
      // Refused before any KMS call or row read: an older map, or ids the bare adapter does not map.
      if (prisma !== undefined || !isNcpKmsError(error) || !ADAPTER_REFUSALS.has(error.code)) throw error;
      process.stderr.write(
        `warning: ${error.code}: the driver adapter alone cannot serve this map; migrating through the generated client (more memory). Re-running 'prisma generate' gives the map what it lacks.\n`,
      );
      prisma = await prismaFromSchema(app!);
      summary = await run({ prisma });
    }
    display.end();
    process.stdout.write(
      v.json ? `${JSON.stringify(summary, jsonSafe, 2)}\n` : `${formatSummary(summary)}\n`,
    );
    if (summary.interrupted) return 130;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    display.end();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await kms?.close();
    await (prisma as { $disconnect?: () => Promise<void> } | undefined)?.$disconnect?.();
    await redis?.quit();
  }
}
