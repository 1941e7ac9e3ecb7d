/**
 * The lines of a text stream, and the lines of an Ion or JSON text joined into one per top-level
 * value: what lets {@link readIonLines} (`acrossLines`) read a value written over several lines,
 * such as a pretty-printed JSON document a download stored, as Kestra's Ion reader does.
 */

/** The lines of a UTF-8 stream, without their line breaks (`\n` or `\r\n`). */
export async function* textLines(
  stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  let rest = "";
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    const parts = text.split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith("\r") ? part.slice(0, -1) : part;
  }
  rest += decoder.decode();
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

/** Lexical state of {@link valueLines} between two physical lines. */
interface Scan {
  depth: number;
  /** Inside a `"…"` string, a `'…'` symbol, a `'''…'''` long string, a `{{…}}` lob or a block comment. */
  inside: "" | '"' | "'" | "'''" | "}}" | "*/";
}

/**
 * Updates `scan` over one physical line. A `"…"` string or `'…'` symbol cannot hold a raw line
 * break in JSON or Ion, so one left open ends with its line (the reader then reports it).
 */
function scanLine(line: string, scan: Scan): void {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (scan.inside === '"' || scan.inside === "'") {
      if (c === "\\") i++;
      else if (c === scan.inside) scan.inside = "";
    } else if (scan.inside === "'''") {
      if (c === "\\") i++;
      else if (line.startsWith("'''", i)) {
        scan.inside = "";
        i += 2;
      }
    } else if (scan.inside === "}}") {
      // a blob's base64 may hold `//` or `/*`, a clob's string `}}`
      if (c === '"') for (i++; i < line.length && line[i] !== '"'; i++) i += line[i] === "\\" ? 1 : 0;
      else if (line.startsWith("'''", i)) {
        const end = line.indexOf("'''", i + 3);
        i = end < 0 ? line.length : end + 2;
      } else if (line.startsWith("}}", i)) {
        scan.inside = "";
        i++;
      }
    } else if (scan.inside === "*/") {
      if (line.startsWith("*/", i)) {
        scan.inside = "";
        i++;
      }
    } else if (c === "{" && line[i + 1] === "{") {
      scan.inside = "}}";
      i++;
    } else if (c === "{" || c === "[" || c === "(") scan.depth++;
    else if (c === "}" || c === "]" || c === ")") scan.depth--;
    else if (c === '"') scan.inside = '"';
    else if (c === "'") {
      if (line.startsWith("'''", i)) {
        scan.inside = "'''";
        i += 2;
      } else scan.inside = "'";
    } else if (c === "/" && line[i + 1] === "/") return;
    else if (c === "/" && line[i + 1] === "*") {
      scan.inside = "*/";
      i++;
    }
  }
  if (scan.inside === '"' || scan.inside === "'") scan.inside = "";
}

/** Whether `text` ends with a `\` that escapes what follows (an odd number of them). */
function endsEscaping(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === "\\"; i--) count++;
  return count % 2 === 1;
}

/** The longest value {@link valueLines} joins: past it the text is taken as not Ion or JSON. */
export const MAX_VALUE_CHARS = 128 * 1024 * 1024;

/** One top-level value's text, and the line it starts on (from 1). */
export interface ValueLine {
  text: string;
  line: number;
}

/**
 * The physical lines of an Ion or JSON text joined into one line per top-level value: a value
 * that spans lines is given as one line, its line breaks made blanks (or `\n` inside a long
 * string, the same text). Lines stream through; only the value being read is held, and one longer
 * than `maxChars` fails (an unbalanced bracket in a file that is not Ion would otherwise gather
 * the whole file). An unterminated value at the end is given as it is, for the reader to report.
 */
export async function* valueLines(
  lines: AsyncIterable<string>,
  tooLong: (line: number, maxChars: number) => Error,
  maxChars = MAX_VALUE_CHARS,
): AsyncGenerator<ValueLine> {
  const scan: Scan = { depth: 0, inside: "" };
  let pending: string[] = [];
  let size = 0;
  let line = 0;
  let start = 0;
  for await (const text of lines) {
    line++;
    if (pending.length > 0) {
      if (scan.inside !== "'''") pending.push(" ");
      // in a long string, a line ending in an escaping `\` continues on the next: no line break
      else if (endsEscaping(pending[pending.length - 1]!)) pending[pending.length - 1] = pending.at(-1)!.slice(0, -1);
      else pending.push("\\n");
    } else start = line;
    pending.push(text);
    size += text.length + 2;
    scanLine(text, scan);
    if (scan.depth <= 0 && scan.inside === "") {
      scan.depth = 0;
      yield { text: pending.length === 1 ? text : pending.join(""), line: start };
      pending = [];
      size = 0;
    } else if (size > maxChars) throw tooLong(start, maxChars);
  }
  if (pending.length > 0) yield { text: pending.join(""), line: start };
}
