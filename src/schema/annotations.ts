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
 * like a misspelt `@encrypted` (`@encrypt`, `@Encrypted`, `@encrypted_field`)
 * is an error rather than ignored: a typo must not leave a column in
 * plaintext silently.
 */

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
    if (word === "encrypted") {
      const end = (match.index ?? 0) + match[0].length;
      const parsed = parseOptions(documentation, end, errors);
      if (parsed !== undefined) found.push(parsed);
    } else if (word.toLowerCase().startsWith("encrypt")) {
      errors.push(`unknown annotation "@${word}" (did you mean @encrypted?)`);
    }
  }
  if (found.length > 1) errors.push("@encrypted appears more than once");
  return { annotation: found[0], errors };
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
      errors.push(`expected an option name in @encrypted(...), found ${cursor.describeHere()}`);
      return undefined;
    }
    cursor.skipSpace();
    let value: string | undefined;
    let hasValue = false;
    if (cursor.peek() === ":") {
      cursor.advance();
      cursor.skipSpace();
      hasValue = true;
      const read = cursor.readString();
      if (read.ok) value = read.value;
      else if (read.problem === "unterminated") {
        errors.push(`unterminated string in option "${name}"`);
        return undefined;
      } else {
        errors.push(`option "${name}" needs a double-quoted string value, found ${cursor.describeHere()}`);
        return undefined;
      }
      cursor.skipSpace();
    }
    applyOption(name, hasValue, value, seen, values, errors);
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

function applyOption(
  name: string,
  hasValue: boolean,
  value: string | undefined,
  seen: Set<OptionName>,
  into: { searchable: boolean; key?: string; binding?: string },
  errors: string[],
): void {
  if (!isKnownOption(name)) {
    errors.push(`unknown option "${name}" in @encrypted(...) (known: ${KNOWN_OPTIONS.join(", ")})`);
    return;
  }
  if (seen.has(name)) {
    errors.push(`duplicate option "${name}" in @encrypted(...)`);
    return;
  }
  seen.add(name);
  if (name === "searchable") {
    if (hasValue) errors.push('option "searchable" takes no value: write @encrypted(searchable)');
    else into.searchable = true;
    return;
  }
  if (!hasValue || value === undefined) {
    errors.push(
      `option "${name}" needs a value, e.g. ${name}: ${name === "key" ? '"archive"' : '"User.email"'}`,
    );
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

  /** A short quote of what is at the cursor, for error messages (doc text is not secret). */
  describeHere(): string {
    if (this.atEnd()) return "the end of the comment";
    const rest = this.text.slice(this.pos).split("\n")[0] ?? "";
    return JSON.stringify(rest.length > 20 ? `${rest.slice(0, 20)}…` : rest);
  }
}
