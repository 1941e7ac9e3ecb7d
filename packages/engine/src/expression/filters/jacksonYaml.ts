/**
 * The text of Kestra's `yaml` filter: Jackson's YAMLGenerator (MINIMIZE_QUOTES, INDENT_ARRAYS,
 * no line splitting, no document marker) driving SnakeYAML's emitter (indent 2, sequence
 * indicator indent 1). Jackson picks a style per string (empty, YAML 1.1 keywords and some
 * punctuation: double quotes; a line break: literal block; else plain) and SnakeYAML falls back
 * to single, then double quotes when plain is not allowed. The layout below replays the
 * emitter's column bookkeeping, which gives its quirks: ` - ` items, and a map inside a list
 * item starting on the next line.
 */
import { isMap, JChar, javaToString } from "../values.ts";
import { isNumeric, numberToString } from "../values.ts";

type Style = "plain" | "single" | "double" | "literal";

const RESERVED = new Set([
  "false",
  "False",
  "FALSE",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "null",
  "Null",
  "NULL",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
  "true",
  "True",
  "TRUE",
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
]);
const LINE_BREAKS = "\n\u0085\u2028\u2029";
const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\u0007": "a",
  "\b": "b",
  "\t": "t",
  "\n": "n",
  "\u000B": "v",
  "\f": "f",
  "\r": "r",
  "\u001B": "e",
  '"': '"',
  "\\": "\\",
  "\u0085": "N",
  "\u00A0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

function isReserved(text: string): boolean {
  return text === "" || text[0] === "~" || RESERVED.has(text);
}

/** Jackson's StringQuotingChecker.valueHasQuotableChar. */
function hasQuotableChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ("[]{},".includes(c!)) return true;
    if (c === "#" && i > 0 && (text[i - 1] === " " || text[i - 1] === "\t")) return true;
    if (c === ":" && i < text.length - 1 && (text[i + 1] === " " || text[i + 1] === "\t")) return true;
  }
  return false;
}

function valueStyle(text: string): Style {
  if (text === "") return "double";
  if (text.includes("\n")) return "literal";
  return isReserved(text) || hasQuotableChar(text) ? "double" : "plain";
}

function nameStyle(text: string): Style {
  const numberLike = text !== "" && "0123456789-+.".includes(text[0]!);
  return isReserved(text) || numberLike || /[\u0000-\u001F]/.test(text) ? "double" : "plain";
}

interface Analysis {
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
  allowBlock: boolean;
}

function isPrintable(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0x7e) ||
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    c === 0x85 ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/** SnakeYAML's Emitter.analyzeScalar, for block context. */
function analyze(text: string): Analysis {
  if (text === "")
    return { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true, allowBlock: false };
  const blank = (c: string | undefined) =>
    c === undefined || c === " " || c === "\t" || c === "\0" || LINE_BREAKS.includes(c) || c === "\r";
  let blockIndicators = text.startsWith("---") || text.startsWith("...");
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const chars = [...text];
  const leadingZero = text.length > 1 && text[0] === "0" && /^[0-9_]+$/.test(text.slice(1));
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const followedByWhitespace = blank(chars[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) blockIndicators = true;
      if ((c === "?" || c === ":") && followedByWhitespace) blockIndicators = true;
      if (c === "-" && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ":" && followedByWhitespace) blockIndicators = true;
      if (c === "#" && precededByWhitespace) blockIndicators = true;
    }
    const isBreak = LINE_BREAKS.includes(c) || c === "\r";
    if (isBreak) lineBreaks = true;
    const code = c.codePointAt(0)!;
    if (!(c === "\n" || (code >= 0x20 && code <= 0x7e))) {
      const unicode =
        code === 0x85 ||
        (code >= 0xa0 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!unicode) special = true;
    }
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c === " " || c === "\t" || c === "\0" || isBreak;
  }
  let allowBlockPlain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || leadingZero);
  let allowSingleQuoted = true;
  let allowBlock = !trailingSpace;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowBlockPlain = allowSingleQuoted = allowBlock = false;
  if (blockIndicators) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted, allowBlock };
}

class Emitter {
  out = "";
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent: number | null = null;
  private readonly indents: (number | null)[] = [];

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? 2 : 0;
    else if (!indentless) this.indent += 2;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? null;
  }

  private write(text: string): void {
    this.out += text;
    this.column += text.length;
  }

  private lineBreak(): void {
    this.out += "\n";
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }

  private spaces(length: number): void {
    if (length <= 0) return;
    this.whitespace = true;
    this.write(" ".repeat(length));
  }

  writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    this.spaces(indent - this.column);
  }

  private indicator(text: string, needWhitespace: boolean, whitespace: boolean, indention: boolean): void {
    if (!this.whitespace && needWhitespace) this.write(" ");
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.write(text);
  }

  node(value: unknown, mapping: boolean, simpleKey: boolean): void {
    if (Array.isArray(value)) return this.sequence(value, mapping);
    if (isMap(value)) return this.mapping(value);
    this.scalar(scalarText(value), scalarStyle(value), simpleKey);
  }

  private sequence(items: unknown[], mapping: boolean): void {
    if (items.length === 0) {
      this.indicator("[", true, true, false);
      this.indicator("]", false, false, false);
      return;
    }
    this.increaseIndent(false, mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.spaces(1);
      this.indicator("-", true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private mapping(map: Record<string, unknown>): void {
    const entries = Object.entries(map);
    if (entries.length === 0) {
      this.indicator("{", true, true, false);
      this.indicator("}", false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      const analysis = analyze(key);
      if (key.length < 128 && !analysis.empty && !analysis.multiline) {
        this.scalar(key, nameStyle(key), true);
        this.indicator(":", false, false, false);
      } else {
        this.indicator("?", true, false, true);
        this.scalar(key, nameStyle(key), false);
        this.writeIndent();
        this.indicator(":", true, false, true);
      }
      this.node(value, true, false);
    }
    this.popIndent();
  }

  /** SnakeYAML's chooseScalarStyle then the matching writer. */
  private scalar(text: string, requested: Style, simpleKey: boolean): void {
    const a = analyze(text);
    let style: Style = "double";
    if (requested === "plain" && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) style = "plain";
    else if (requested === "literal" && !simpleKey && a.allowBlock) style = "literal";
    else if (requested === "plain" && a.allowSingleQuoted && !(simpleKey && a.multiline)) style = "single";
    else if (requested === "single") style = "single";
    this.increaseIndent(true, false);
    if (style === "plain") this.plain(text);
    else if (style === "single") this.singleQuoted(text);
    else if (style === "literal") this.literal(text);
    else this.doubleQuoted(text);
    this.popIndent();
  }

  private plain(text: string): void {
    if (text === "") return;
    if (!this.whitespace) this.write(" ");
    this.whitespace = false;
    this.indention = false;
    this.write(text);
  }

  private singleQuoted(text: string): void {
    this.indicator("'", true, false, false);
    this.write(text.replace(/'/g, "''"));
    this.indicator("'", false, false, false);
  }

  private doubleQuoted(text: string): void {
    this.indicator('"', true, false, false);
    let data = "";
    for (const ch of text) {
      const code = ch.codePointAt(0)!;
      if (ESCAPES[ch] !== undefined) data += `\\${ESCAPES[ch]}`;
      else if ((code >= 0x20 && code <= 0x7e) || (ch !== "\uFEFF" && isPrintable(code))) data += ch;
      else if (ch === "\uFEFF") data += ch;
      else if (code <= 0xff) data += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code > 0xffff) data += `\\U${code.toString(16).padStart(8, "0")}`;
      else data += `\\u${code.toString(16).padStart(4, "0")}`;
    }
    this.write(data);
    this.indicator('"', false, false, false);
  }

  private literal(text: string): void {
    let hints = "";
    if (text[0] === " " || LINE_BREAKS.includes(text[0]!)) hints += "2";
    const last = text[text.length - 1]!;
    if (!LINE_BREAKS.includes(last)) hints += "-";
    else if (text.length === 1 || LINE_BREAKS.includes(text[text.length - 2]!)) hints += "+";
    this.indicator(`|${hints}`, true, false, false);
    this.lineBreak();
    let breaks = true;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (breaks) {
        if (ch === null || !LINE_BREAKS.includes(ch)) {
          for (const br of text.slice(start, end)) {
            if (br === "\n") this.lineBreak();
            else {
              this.out += br;
              this.whitespace = true;
              this.indention = true;
              this.column = 0;
            }
          }
          if (ch !== null) this.writeIndent();
          start = end;
        }
      } else if (ch === null || LINE_BREAKS.includes(ch)) {
        this.write(text.slice(start, end));
        if (ch === null) this.lineBreak();
        start = end;
      }
      if (ch !== null) breaks = LINE_BREAKS.includes(ch);
    }
  }
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (isNumeric(value)) return numberToString(value);
  if (value instanceof JChar) return value.char;
  return javaToString(value);
}

function scalarStyle(value: unknown): Style {
  if (typeof value === "string") return valueStyle(value);
  if (value instanceof JChar) return valueStyle(value.char);
  return "plain";
}

/** `value` as Kestra's `yaml` filter writes it (a non-null value; null is the text `null`). */
export function toJacksonYaml(value: unknown): string {
  const emitter = new Emitter();
  emitter.node(value, false, false);
  emitter.writeIndent();
  return emitter.out;
}
