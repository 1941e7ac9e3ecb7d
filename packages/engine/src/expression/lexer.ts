/**
 * Splits a template into text, print tags (`{{ }}`), statement tags (`{% %}`) and comments, and
 * tokenizes the expressions inside tags. Pebble's rules: a tag closes at the first `}}`/`%}` not
 * inside brackets; `{{-`/`{%-` followed by whitespace trims the text before, `-}}`/`-%}` the text
 * after; newlines after tags are kept; `{% verbatim %}` bodies are text.
 */
import { ExpressionError } from "./errors.ts";

export type TokenType = "name" | "number" | "string" | "op" | "punct" | "end";

export interface Token {
  type: TokenType;
  value: string;
  line: number;
  column: number;
  /** For strings: interpolation parts of a double-quoted string (`#{…}`), as raw expression texts. */
  parts?: { text?: string; expression?: string; line?: number; column?: number }[];
}

export type Segment =
  | { kind: "text"; text: string }
  | { kind: "print"; tokens: Token[]; source: string; line: number; column: number }
  | { kind: "tag"; tokens: Token[]; source: string; line: number; column: number };

const OPERATORS = [
  "???",
  "??",
  "==",
  "!=",
  "<=",
  ">=",
  "..",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "|",
  "?",
  ":",
  "=",
  ",",
  ".",
];

class Cursor {
  line = 1;
  column = 1;
  constructor(
    readonly text: string,
    public pos = 0,
  ) {}
  advance(n: number): void {
    for (let k = 0; k < n && this.pos < this.text.length; k++) {
      if (this.text[this.pos] === "\n") {
        this.line++;
        this.column = 1;
      } else this.column++;
      this.pos++;
    }
  }
}

function syntax(message: string, line: number, column: number, template: string): ExpressionError {
  return new ExpressionError(`${message} (line ${line}, column ${column})`, { syntax: true, line, column, template });
}

/** Tokenizes one expression (the inside of a tag) until `close` at bracket depth 0. */
function tokenize(c: Cursor, close: string, template: string): Token[] {
  const tokens: Token[] = [];
  const depth: string[] = [];
  const text = c.text;
  for (;;) {
    while (c.pos < text.length && /\s/.test(text[c.pos]!)) c.advance(1);
    if (c.pos >= text.length) throw syntax(`Unclosed tag: expected '${close}'`, c.line, c.column, template);
    if (depth.length === 0) {
      if (text.startsWith(`-${close}`, c.pos)) {
        tokens.push({ type: "end", value: `-${close}`, line: c.line, column: c.column });
        c.advance(close.length + 1);
        return tokens;
      }
      if (text.startsWith(close, c.pos)) {
        tokens.push({ type: "end", value: close, line: c.line, column: c.column });
        c.advance(close.length);
        return tokens;
      }
    }
    const line = c.line;
    const column = c.column;
    const rest = text.slice(c.pos, c.pos + 64);
    const ch = text[c.pos]!;
    let m: RegExpExecArray | null;
    if (/^[A-Za-z_]/.test(rest)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(c.pos))![0];
      tokens.push({ type: "name", value: word, line, column });
      c.advance(word.length);
    } else if ((m = /^\d+(\.\d+)?/.exec(text.slice(c.pos, c.pos + 400)))) {
      let value = m[0];
      if (m[1] && text[c.pos + value.length] === ".") value = value.slice(0, value.indexOf("."));
      tokens.push({ type: "number", value, line, column });
      c.advance(value.length);
    } else if (ch === "'" || ch === '"') {
      tokens.push(readString(c, ch, template));
    } else if ("([{".includes(ch)) {
      depth.push(ch);
      tokens.push({ type: "punct", value: ch, line, column });
      c.advance(1);
    } else if (")]}".includes(ch)) {
      const open = depth.pop();
      if (!open || "([{"[")]}".indexOf(ch)] !== open) throw syntax(`Unexpected '${ch}'`, line, column, template);
      tokens.push({ type: "punct", value: ch, line, column });
      c.advance(1);
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, c.pos));
      if (!op) throw syntax(`Unexpected character '${ch}'`, line, column, template);
      tokens.push({ type: "op", value: op, line, column });
      c.advance(op.length);
    }
  }
}

function readString(c: Cursor, quote: string, template: string): Token {
  const line = c.line;
  const column = c.column;
  const text = c.text;
  c.advance(1);
  let value = "";
  const parts: NonNullable<Token["parts"]> = [];
  let interpolated = false;
  while (c.pos < text.length && text[c.pos] !== quote) {
    const ch = text[c.pos]!;
    if (ch === "\\" && (text[c.pos + 1] === quote || text[c.pos + 1] === "'" || text[c.pos + 1] === '"')) {
      value += text[c.pos + 1];
      c.advance(2);
    } else if (quote === '"' && ch === "#" && text[c.pos + 1] === "{") {
      interpolated = true;
      if (value) parts.push({ text: value });
      value = "";
      c.advance(2);
      const start = c.pos;
      const l = c.line;
      const col = c.column;
      let nesting = 0;
      while (c.pos < text.length && !(text[c.pos] === "}" && nesting === 0)) {
        if (text[c.pos] === "{") nesting++;
        if (text[c.pos] === "}") nesting--;
        c.advance(1);
      }
      if (c.pos >= text.length) throw syntax("Unclosed string interpolation", l, col, template);
      parts.push({ expression: text.slice(start, c.pos), line: l, column: col });
      c.advance(1);
    } else {
      value += ch;
      c.advance(1);
    }
  }
  if (c.pos >= text.length) throw syntax("Unclosed string literal", line, column, template);
  c.advance(1);
  if (interpolated) {
    if (value) parts.push({ text: value });
    return { type: "string", value: "", line, column, parts };
  }
  return { type: "string", value, line, column };
}

/** Tokenizes a standalone expression (string interpolation). */
export function tokenizeExpression(source: string, line: number, column: number, template: string): Token[] {
  const c = new Cursor(`${source} }}`);
  c.line = line;
  c.column = column;
  const tokens = tokenize(c, "}}", template);
  return tokens;
}

const VERBATIM = /^\{%-?\s*verbatim\s*-?%\}/;

/** Splits a template into segments, applying whitespace control. */
export function scan(template: string): Segment[] {
  const segments: Segment[] = [];
  const c = new Cursor(template);
  let trimNext = false;
  const pushText = (text: string) => {
    let t = text;
    if (trimNext) t = t.replace(/^\s+/, "");
    trimNext = false;
    if (t) segments.push({ kind: "text", text: t });
  };
  const trimPrevious = () => {
    const last = segments[segments.length - 1];
    if (last?.kind === "text") {
      last.text = last.text.replace(/\s+$/, "");
      if (!last.text) segments.pop();
    }
  };
  while (c.pos < template.length) {
    const next = template.slice(c.pos).search(/\{[{%#]/);
    if (next < 0) {
      pushText(template.slice(c.pos));
      break;
    }
    if (next > 0) {
      pushText(template.slice(c.pos, c.pos + next));
      c.advance(next);
    } else if (trimNext) {
      trimNext = false;
    }
    const line = c.line;
    const column = c.column;
    const opener = template.slice(c.pos, c.pos + 2);
    if (opener === "{#") {
      const end = template.indexOf("#}", c.pos + 2);
      if (end < 0) throw syntax("Unclosed comment", line, column, template);
      c.advance(end + 2 - c.pos);
      continue;
    }
    const verbatim = VERBATIM.exec(template.slice(c.pos));
    if (verbatim) {
      c.advance(verbatim[0].length);
      const close = /\{%-?\s*endverbatim\s*-?%\}/.exec(template.slice(c.pos));
      if (!close) throw syntax("Unclosed verbatim block: expected {% endverbatim %}", line, column, template);
      pushText(template.slice(c.pos, c.pos + close.index));
      c.advance(close.index + close[0].length);
      continue;
    }
    c.advance(2);
    if (template[c.pos] === "-" && /\s/.test(template[c.pos + 1] ?? "")) {
      trimPrevious();
      c.advance(1);
    }
    const start = c.pos;
    const close = opener === "{{" ? "}}" : "%}";
    const tokens = tokenize(c, close, template);
    const end = tokens[tokens.length - 1]!;
    if (end.value.startsWith("-")) trimNext = true;
    const source = `${opener} ${template.slice(start, c.pos - end.value.length).trim()} ${close}`;
    segments.push({ kind: opener === "{{" ? "print" : "tag", tokens, source, line, column });
  }
  return segments;
}
