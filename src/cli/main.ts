#!/usr/bin/env node
/**
 * `prisma-ncp-kms` — one binary, one file per subcommand under `./commands/`.
 * Each command module exports `run(argv: string[]): Promise<number>` (the exit
 * code) and `help: string`. This file only dispatches; it holds no logic.
 */
import process from "node:process";
import { formatErrorChain } from "./error-report.js";

interface CommandModule {
  run(argv: string[]): Promise<number>;
  help: string;
}

const commands: Record<string, () => Promise<CommandModule>> = {
  emulator: () => import("./commands/emulator.js"),
  keys: () => import("./commands/keys.js"),
  migrate: () => import("./commands/migrate.js"),
  generate: () => import("./commands/generate.js"),
};

const usage = `Usage: prisma-ncp-kms <command> [options]

Commands:
  emulator   run the local NCP KMS emulator (same HTTP API as NCP KMS)
  keys       create, list and rotate keys (emulator or real NCP KMS)
  migrate    re-encrypt after a key rotation, encrypt or decrypt existing columns
  generate   the Prisma generator (used as a generator provider in schema.prisma)

Run 'prisma-ncp-kms <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 1 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`Unknown command '${name}'.\n\n${usage}\n`);
    return 1;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Every cause is printed (codes and messages): the reason is often a level down.
    process.stderr.write(`prisma-ncp-kms: ${formatErrorChain(error)}\n`);
    process.exitCode = 1;
  },
);
