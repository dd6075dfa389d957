/**
 * How the CLI prints a failure: the error and every cause under it, each as
 * `Name [CODE]: message`, so the reason behind a wrapper error ("KMS rejected
 * the credentials" under "Could not determine the newest version") is never
 * dropped. The library's messages hold no secrets; for foreign errors (a
 * database driver, Redis) credentials embedded in URLs are masked.
 */

/** Causes followed at most (a guard against cycles and absurd chains). */
const MAX_DEPTH = 8;

/** `scheme://user:password@host` → `scheme://user:***@host`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, "$1:***@");
}

function line(error: unknown): string {
  if (!(error instanceof Error)) return maskUrlCredentials(String(error));
  const code = (error as { code?: unknown }).code;
  const tag = typeof code === "string" || typeof code === "number" ? ` [${code}]` : "";
  return maskUrlCredentials(`${error.name}${tag}: ${error.message}`);
}

/** The error and its `cause` chain, one per line (causes indented, "caused by:"). */
export function formatErrorChain(error: unknown): string {
  const lines = [line(error)];
  const seen = new Set<unknown>([error]);
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!(current instanceof Error) || current.cause === undefined || seen.has(current.cause)) break;
    current = current.cause;
    seen.add(current);
    lines.push(`  caused by: ${line(current)}`);
  }
  return lines.join("\n");
}
