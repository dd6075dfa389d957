/**
 * Parses the `/// @encrypted(...)` annotation out of a field's documentation
 * text (what Prisma's DMMF gives as `documentation`: the `///` lines without
 * the slashes, joined by newlines). Pure: no Prisma, no I/O.
 *
 * Grammar (see README.md):
 *
 *   annotation := "@encrypted" [ "(" [ option { "," option } [","] ] ")" ]
 *   option     := "searchable" | "key" ":" string | "binding" ":" string
 *   string     := '"' { char | '\"' | '\\' } '"'
 *
 * The annotation may sit anywhere among other doc text. Anything that looks
 * like a misspelt `@encrypted` is an error rather than ignored, with the
 * right spelling suggested: a typo must not leave a column in plaintext
 * silently. "Looks like" means: an `@word` within two edits of `encrypted`
 * (Damerau: transpositions count as one, case ignored), any `@word`
 * starting with `enc`, and `@encrypted` glued to `[`, `{`, `:` or `.word`.
 * Other tools' annotations (`@zod…`, `@deprecated`, `@omit`, …) are left alone.
 */
import { damerauDistance } from "./edit-distance.js";

/** What a field's `@encrypted` annotation asks for (options as written; defaults are applied later). */
export interface EncryptedAnnotation {
  /** `searchable` was given. */
  readonly searchable: boolean;
  /** `key: "..."` if given. */
  readonly key?: string;
  /** `binding: "..."` if given. */
  readonly binding?: string;
}

/** Result of {@link parseEncryptedAnnotation}: the annotation (if any) and every problem found. */
export interface AnnotationParseResult {
  /**
   * The first well-formed `@encrypted`, or `undefined` when there is none.
   * Best effort when `errors` is not empty (the field is still known to be
   * marked, so its type can be checked too); never use it then.
   */
  readonly annotation: EncryptedAnnotation | undefined;
  /** Human-readable problems, without the `Model.field:` prefix (the caller adds it). Empty when valid. */
  readonly errors: readonly string[];
}

const KNOWN_OPTIONS = ["searchable", "key", "binding"] as const;
type OptionName = (typeof KNOWN_OPTIONS)[number];

/** Key names are config object keys: letters, digits, `_`, `.`, `-`. */
const KEY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** A binding is an opaque identity, conventionally `Model.field`; no whitespace or control characters. */
const BINDING = /^[^\s\p{Cc}]+$/u;
/** An `@word` that starts a token (not inside an e-mail address like `a@encrypted.io`). */
const AT_WORD = /(?<![\w@.])@([A-Za-z_][\w]*)/g;

/**
 * Parses the documentation text of one field.
 *
 * @param documentation the field's `///` text as the DMMF gives it; `undefined` means no doc.
 * @returns the annotation (or `undefined` when there is none) and every problem, collected.
 * @example
 * parseEncryptedAnnotation("Primary email. @encrypted(searchable, key: \"pii\")")
 * // → { annotation: { searchable: true, key: "pii" }, errors: [] }
 */
export function parseEncryptedAnnotation(documentation: string | undefined): AnnotationParseResult {
  if (documentation === undefined || documentation === "") return { annotation: undefined, errors: [] };
  const errors: string[] = [];
  const found: EncryptedAnnotation[] = [];
  for (const match of documentation.matchAll(AT_WORD)) {
    const word = match[1] ?? "";
    const end = (match.index ?? 0) + match[0].length;
    if (word === "encrypted") {
      const glued = gluedOptions(documentation, end);
      if (glued !== undefined) {
        errors.push(
          `unknown annotation "@encrypted${glued.written}" (did you mean ${glued.suggestion}?): options go in parentheses`,
        );
        continue;
      }
      const parsed = parseOptions(documentation, end, errors);
      if (parsed !== undefined) found.push(parsed);
    } else if (looksLikeEncrypted(word)) {
      errors.push(
        `unknown annotation "@${word}" (did you mean ${suggestFor(word, documentation, end)}?): ` +
          "a misspelt annotation would leave the column in plaintext",
      );
    }
  }
  if (found.length > 1) errors.push("@encrypted appears more than once");
  return { annotation: found[0], errors };
}

/** An `@word` that is probably meant as `@encrypted` (see the module comment). */
function looksLikeEncrypted(word: string): boolean {
  const lower = word.toLowerCase();
  return lower.startsWith("enc") || damerauDistance(lower, "encrypted") <= 2;
}

/** The spelling to suggest for a misspelt word: keeps the `(...)` that follows, or reads `searchable` out of the word. */
function suggestFor(word: string, text: string, end: number): string {
  const options = parenthesised(text, end);
  if (options !== undefined) return `@encrypted${options}`;
  return /searchable/i.test(word) ? "@encrypted(searchable)" : "@encrypted";
}

/** The `( ... )` right after `end` (horizontal space allowed before it), verbatim, if short and closed. */
function parenthesised(text: string, end: number): string | undefined {
  const match = /^[ \t]*(\([^()]{0,80}\))/.exec(text.slice(end));
  return match?.[1];
}

/** `@encrypted[searchable]`, `@encrypted{…}`, `@encrypted:searchable`, `@encrypted.searchable`: options without parentheses. */
function gluedOptions(text: string, end: number): { written: string; suggestion: string } | undefined {
  const match = /^(\[[^\]\n]{0,80}\]|\{[^}\n]{0,80}\}|:\s*\w+|\.[A-Za-z_]\w*)/.exec(text.slice(end));
  if (match === null) return undefined;
  const written = match[1] as string;
  const inner = written
    .replace(/^[[{:.]\s*/, "")
    .replace(/[\]}]$/, "")
    .trim();
  return { written, suggestion: inner === "" ? "@encrypted" : `@encrypted(${inner})` };
}

/** Parses an optional `( ... )` right after `@encrypted` (horizontal whitespace allowed before it). */
function parseOptions(text: string, start: number, errors: string[]): EncryptedAnnotation | undefined {
  const cursor = new Cursor(text, start);
  cursor.skipHorizontalSpace();
  if (cursor.peek() !== "(") return { searchable: false };
  cursor.advance();
  const seen = new Set<OptionName>();
  const values: { searchable: boolean; key?: string; binding?: string } = { searchable: false };
  cursor.skipSpace();
  while (cursor.peek() !== ")") {
    if (cursor.atEnd()) {
      errors.push('unclosed "@encrypted(": missing ")"');
      return undefined;
    }
    const name = cursor.readIdentifier();
    if (name === undefined) {
      const quoted = cursor.peek() === '"' ? cursor.readString() : undefined;
      if (quoted?.ok === true && isKnownOption(quoted.value)) {
        errors.push(
          `option names are not quoted: write @encrypted(${quoted.value === "searchable" ? "searchable" : `${quoted.value}: "..."`})`,
        );
        return undefined;
      }
      errors.push(`expected an option name in @encrypted(...), found ${cursor.describeHere()}`);
      return undefined;
    }
    cursor.skipSpace();
    const written: WrittenValue = { separator: undefined, value: undefined, bare: undefined };
    const separator = cursor.peek();
    if (separator === ":" || separator === "=") {
      written.separator = separator;
      cursor.advance();
      cursor.skipSpace();
      const read = cursor.readString();
      if (read.ok) written.value = read.value;
      else if (read.problem === "unterminated") {
        errors.push(`unterminated string in option "${name}"`);
        return undefined;
      } else {
        written.bare = cursor.readBareValue();
        if (written.bare === undefined) {
          errors.push(`option "${name}" needs a double-quoted string value, found ${cursor.describeHere()}`);
          return undefined;
        }
      }
      cursor.skipSpace();
    }
    applyOption(name, written, seen, values, errors);
    if (cursor.peek() === ",") {
      cursor.advance();
      cursor.skipSpace();
    } else if (cursor.peek() !== ")") {
      if (cursor.atEnd()) errors.push('unclosed "@encrypted(": missing ")"');
      else errors.push(`expected "," or ")" in @encrypted(...), found ${cursor.describeHere()}`);
      return undefined;
    }
  }
  return values;
}

/** What followed an option name: `:` or (wrongly) `=`, then a quoted string or a bare word. */
interface WrittenValue {
  separator: ":" | "=" | undefined;
  /** The double-quoted string's content. */
  value: string | undefined;
  /** An unquoted (or single-quoted) value, as written. */
  bare: string | undefined;
}

function applyOption(
  name: string,
  written: WrittenValue,
  seen: Set<OptionName>,
  into: { searchable: boolean; key?: string; binding?: string },
  errors: string[],
): void {
  if (!isKnownOption(name)) {
    const near = KNOWN_OPTIONS.find((known) => damerauDistance(name.toLowerCase(), known) <= 2);
    const hint = near === undefined ? "" : `did you mean "${near}"? `;
    errors.push(`unknown option "${name}" in @encrypted(...) (${hint}known: ${KNOWN_OPTIONS.join(", ")})`);
    return;
  }
  if (seen.has(name)) {
    errors.push(`duplicate option "${name}" in @encrypted(...)`);
    return;
  }
  seen.add(name);
  const hasValue = written.separator !== undefined;
  if (name === "searchable") {
    if (!hasValue) into.searchable = true;
    else if ((written.bare ?? written.value)?.toLowerCase() === "false")
      errors.push(
        'option "searchable" takes no value; leave it out for a non-searchable field: write @encrypted',
      );
    else errors.push('option "searchable" takes no value: write @encrypted(searchable)');
    return;
  }
  const example = name === "key" ? "archive" : "User.email";
  if (!hasValue) {
    errors.push(`option "${name}" needs a value, e.g. ${name}: "${example}"`);
    return;
  }
  if (written.value === undefined) {
    const shown = written.bare?.replace(/^'(.*)'$/, "$1") || example;
    errors.push(
      `option "${name}" needs a double-quoted string value: write ${name}: ${JSON.stringify(shown)}`,
    );
    return;
  }
  const value = written.value;
  if (written.separator === "=") {
    errors.push(`option "${name}" takes ":" not "=": write ${name}: ${JSON.stringify(value)}`);
    return;
  }
  if (name === "key") {
    if (KEY_NAME.test(value)) into.key = value;
    else
      errors.push(
        `key must be a non-empty name (letters, digits, "_", ".", "-"), got ${JSON.stringify(value)}`,
      );
    return;
  }
  if (BINDING.test(value)) into.binding = value;
  else errors.push(`binding must be a non-empty string without spaces, got ${JSON.stringify(value)}`);
}

function isKnownOption(name: string): name is OptionName {
  return (KNOWN_OPTIONS as readonly string[]).includes(name);
}

type StringRead = { ok: true; value: string } | { ok: false; problem: "not-a-string" | "unterminated" };

/** A read position in the documentation text. */
class Cursor {
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  peek(): string | undefined {
    return this.text[this.pos];
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  advance(): void {
    this.pos++;
  }

  skipHorizontalSpace(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }

  skipSpace(): void {
    while (/\s/.test(this.peek() ?? "x")) this.pos++;
  }

  readIdentifier(): string | undefined {
    const match = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos));
    if (match === null) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  readString(): StringRead {
    if (this.peek() !== '"') return { ok: false, problem: "not-a-string" };
    let out = "";
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const ch = this.text[i];
      if (ch === "\n") break;
      if (ch === "\\" && i + 1 < this.text.length) {
        out += this.text[++i];
        continue;
      }
      if (ch === '"') {
        this.pos = i + 1;
        return { ok: true, value: out };
      }
      out += ch;
    }
    return { ok: false, problem: "unterminated" };
  }

  /** An unquoted word (`true`, `archive`, `A.b`) or a single-quoted string, as written; `undefined` if neither. */
  readBareValue(): string | undefined {
    const match = /^('[^'\n]*'|[\w.-]+)/.exec(this.text.slice(this.pos));
    if (match === null) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  /** A short quote of what is at the cursor, for error messages (doc text is not secret). */
  describeHere(): string {
    if (this.atEnd()) return "the end of the comment";
    const rest = this.text.slice(this.pos).split("\n")[0] ?? "";
    return JSON.stringify(rest.length > 20 ? `${rest.slice(0, 20)}…` : rest);
  }
}
