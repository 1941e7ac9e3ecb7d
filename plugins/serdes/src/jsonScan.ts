/**
 * JSON split into the texts of its values as it streams, without building them: a file that is
 * one top-level array gives its elements; values written one after another (JSON Lines, objects
 * back to back, pretty-printed or not) give each value. Memory holds one value at a time. The texts
 * are not checked: the reader parses them (and reports bad JSON) when it needs to.
 */

/** One value: its text and the line (from 1) it starts on; `element` when it is an item of the top-level array. */
export interface JsonValueText {
  readonly text: string;
  readonly line: number;
  readonly element: boolean;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
/** Characters that end a bare token (number, `true`, `null`) between values. */
const TOKEN_END = new Set([" ", "\t", "\n", "\r", "{", "[", '"', "}", "]", ","]);

export async function* jsonValueTexts(source: AsyncIterable<string>): AsyncGenerator<JsonValueText> {
  let mode: "start" | "array" | "values" | "after" = "start";
  let buffer = "";
  let line = 1;
  /** The current value: where it starts in `buffer` (-1: between values), its line and kind. */
  let start = -1;
  let startLine = 0;
  let kind: "container" | "string" | "token" = "container";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elements = 0;
  let commas = 0;
  for await (const piece of source) {
    let i = buffer.length;
    buffer += piece;
    for (; i < buffer.length; i++) {
      const c = buffer[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') {
          inString = false;
          if (kind === "string" && depth === 0 && mode === "values") {
            yield { text: buffer.slice(start, i + 1), line: startLine, element: false };
            start = -1;
          }
        } else if (c === "\n") line++;
        continue;
      }
      if (start < 0) {
        if (c === "\n") line++;
        if (WHITESPACE.has(c)) continue;
        if (mode === "start") {
          if (c === "[") {
            mode = "array";
            continue;
          }
          mode = "values";
        }
        if (mode === "after") throw new SyntaxError(`unexpected text after the array at line ${line}`);
        if (mode === "array") {
          if (c === "]") {
            if (commas > 0 && commas === elements) throw new SyntaxError(`an array element is missing at line ${line}`);
            mode = "after";
            continue;
          }
          if (c === ",") {
            if (++commas > elements) throw new SyntaxError(`an array element is missing at line ${line}`);
            continue;
          }
        }
        start = i;
        startLine = line;
        depth = 0;
        kind = c === "{" || c === "[" ? "container" : c === '"' ? "string" : "token";
      }
      // inside a value
      if (kind === "token" && mode === "values") {
        if (i > start && TOKEN_END.has(c)) {
          yield { text: buffer.slice(start, i), line: startLine, element: false };
          start = -1;
          i--; // this character starts or separates what follows: read again between values
        }
        continue;
      }
      if (c === "\n") line++;
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && depth > 0) {
        depth--;
        if (depth === 0 && mode === "values") {
          yield { text: buffer.slice(start, i + 1), line: startLine, element: false };
          start = -1;
        }
      } else if (mode === "array" && depth === 0 && (c === "," || c === "]")) {
        yield { text: buffer.slice(start, i).trim(), line: startLine, element: true };
        elements++;
        start = -1;
        i--; // the separator or the end of the array, read again between values
      }
    }
    const keep = start >= 0 ? start : buffer.length;
    buffer = buffer.slice(keep);
    if (start >= 0) start = 0;
  }
  if (mode === "array") throw new SyntaxError("the array is not closed (truncated file?)");
  if (start >= 0) {
    if (kind !== "token") throw new SyntaxError(`the value at line ${startLine} is not closed (truncated file?)`);
    yield { text: buffer.slice(start), line: startLine, element: false };
  }
}

/** A JSON text without the whitespace between its tokens (strings kept as written). */
export function compactJsonText(text: string): string {
  if (!/\s/.test(text)) return text;
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (WHITESPACE.has(c)) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}
