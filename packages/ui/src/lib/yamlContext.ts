/**
 * Where the cursor is in a YAML text that is being typed (so often not valid YAML): the path of
 * the mapping it is in (keys and sequence indexes), whether a key or a value is being typed, and
 * the keys of every mapping on the way (to know the `type` of each block). Works on indentation
 * alone, line by line, so an unfinished line or document still gives an answer.
 */

export type PathSegment = string | number;

/** One mapping on the way from the document's root to the cursor. */
export interface MappingInfo {
  path: PathSegment[];
  /** Its keys with their scalar values as written ("" for a key whose value is a block below). */
  keys: Record<string, string>;
}

export interface YamlContext {
  /** The path of the mapping the cursor is in. */
  path: PathSegment[];
  /**
   * `key`: a key of that mapping is being typed; `value`: the value of `key`; `scalar`: the
   * cursor is inside a block scalar (`|`, `>`), where only expressions make sense.
   */
  kind: "key" | "value" | "scalar";
  key?: string;
  /** The text typed so far (the key's start, or the value without its opening quote). */
  prefix: string;
  /** The offset where `prefix` starts. */
  from: number;
  /** For `value`: the whole value written on the cursor's line (unquoted). */
  value?: string;
  /** The mappings from the root to the cursor's (the last one), each with its other keys. */
  chain: MappingInfo[];
}

interface Line {
  from: number;
  text: string;
  /** Blank or a comment. */
  empty: boolean;
  /** Column of the first non-blank character. */
  indent: number;
  /** Column of the last `- ` marker, when the line starts with some. */
  dash?: number;
  /** Column of what follows the dashes. */
  keyCol: number;
  key?: string;
  /** The text after `key:`, trimmed. */
  value?: string;
}

const KEY_LINE = /^([^\s#'"{[\]][^:#]*?|"[^"]*"|'[^']*'):(?:\s+(.*)|)$/;

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

function readLine(text: string, from: number): Line {
  const indent = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const line: Line = { from, text, empty: trimmed === "" || trimmed.startsWith("#"), indent, keyCol: indent };
  if (line.empty) return line;
  let col = indent;
  while (text[col] === "-" && (text[col + 1] === " " || text[col + 1] === undefined)) {
    line.dash = col;
    col += 1;
    while (text[col] === " ") col++;
  }
  line.keyCol = col;
  const rest = text.slice(col).replace(/\s+#.*$/, "");
  const match = KEY_LINE.exec(rest);
  if (match) {
    line.key = unquote(match[1]!.trim());
    line.value = (match[2] ?? "").trim();
  }
  return line;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let from = 0;
  for (const raw of text.split("\n")) {
    lines.push(readLine(raw.replace(/\r$/, ""), from));
    from += raw.length + 1;
  }
  return lines;
}

/** The first line of the mapping at column `col` that holds line `i`, and whether a `- ` starts it. */
function mappingStart(lines: Line[], i: number, col: number): number {
  for (let j = i; j >= 0; j--) {
    const line = lines[j]!;
    if (line.empty) continue;
    if (line.dash !== undefined && line.keyCol === col) return j;
    if (line.indent < col) return j + 1;
    if (j === 0) return 0;
  }
  return 0;
}

/** The keys of the mapping at column `col` that starts at line `start`; line `skip` is left out. */
function mappingKeys(lines: Line[], start: number, col: number, skip: number): Record<string, string> {
  const keys: Record<string, string> = {};
  for (let j = start; j < lines.length; j++) {
    const line = lines[j]!;
    if (line.empty) continue;
    if (j > start) {
      if (line.indent < col) break;
      if (line.indent > col || line.dash !== undefined) continue;
    } else if (line.keyCol !== col) continue;
    if (j !== skip && line.key !== undefined && !(line.key in keys)) keys[line.key] = unquote(line.value ?? "");
  }
  return keys;
}

/** Whether line `i` (at column `col`) is inside a block scalar (`key: |`). */
function inBlockScalar(lines: Line[], i: number, col: number): boolean {
  let min = col;
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j]!;
    if (line.empty || line.indent >= min) continue;
    if (line.key !== undefined) return /^[|>]/.test(line.value ?? "");
    min = line.indent;
  }
  return false;
}

/** The previous non-empty line before `i`, or -1. */
function previous(lines: Line[], i: number): number {
  for (let j = i - 1; j >= 0; j--) if (!lines[j]!.empty) return j;
  return -1;
}

interface Located {
  chain: MappingInfo[];
}

/** The chain of mappings down to the one at column `col` holding line `i`. */
function locate(lines: Line[], i: number, col: number, skip: number, depth = 0): Located {
  const start = mappingStart(lines, i, col);
  const keys = mappingKeys(lines, start, col, skip);
  const startLine = lines[start];
  if (depth > 64) return { chain: [{ path: [], keys }] };
  // A sequence item: `- key: …` at this column.
  if (startLine && startLine.dash !== undefined && startLine.keyCol === col && start <= i) {
    const dash = startLine.dash;
    let index = 0;
    let parent = -1;
    for (let j = start - 1; j >= 0; j--) {
      const line = lines[j]!;
      if (line.empty) continue;
      if (line.indent > dash) continue;
      if (line.indent === dash && line.dash === dash) {
        index++;
        continue;
      }
      parent = j;
      break;
    }
    if (parent === -1 || lines[parent]!.key === undefined) return { chain: [{ path: [index], keys }] };
    const p = lines[parent]!;
    const up = locate(lines, parent, p.keyCol, -1, depth + 1);
    const path = [...up.chain[up.chain.length - 1]!.path, p.key!, index];
    return { chain: [...up.chain, { path, keys }] };
  }
  const parent = previous(lines, start);
  if (parent === -1 || col === 0) return { chain: [{ path: [], keys }] };
  const p = lines[parent]!;
  if (p.key === undefined) return { chain: [{ path: [], keys }] };
  const up = locate(lines, parent, p.keyCol, -1, depth + 1);
  const path = [...up.chain[up.chain.length - 1]!.path, p.key];
  return { chain: [...up.chain, { path, keys }] };
}

const TYPING_KEY = /^(\s*)((?:-\s+)*)([A-Za-z0-9_.$@-]*)$/;
const TYPING_VALUE = /^(\s*)((?:-\s+)*)([A-Za-z0-9_.$@-]+|"[^"]*"|'[^']*'):\s+(["']?)([^"'#{}[\]]*)$/;

/** The context at offset `pos` of `text`; undefined where nothing can be offered (a comment, a flow collection). */
export function yamlContextAt(text: string, pos: number): YamlContext | undefined {
  const lines = splitLines(text);
  let i = 0;
  while (i + 1 < lines.length && lines[i + 1]!.from <= pos) i++;
  const line = lines[i]!;
  const before = line.text.slice(0, pos - line.from);
  let kind: YamlContext["kind"];
  let col: number;
  let prefix: string;
  let key: string | undefined;
  let dash: boolean;
  const keyMatch = TYPING_KEY.exec(before);
  const valueMatch = keyMatch ? undefined : TYPING_VALUE.exec(before);
  if (keyMatch) {
    kind = "key";
    col = keyMatch[1]!.length + keyMatch[2]!.length;
    prefix = keyMatch[3]!;
    dash = keyMatch[2]!.length > 0;
  } else if (valueMatch) {
    kind = "value";
    col = valueMatch[1]!.length + valueMatch[2]!.length;
    key = unquote(valueMatch[3]!);
    prefix = valueMatch[5]!;
    dash = valueMatch[2]!.length > 0;
  } else {
    return undefined;
  }
  // The cursor's line as if it were complete: a key at `col`, started by a dash or not.
  const lastDash = dash ? before.slice(0, col).trimEnd().length - 1 : undefined;
  lines[i] = {
    ...line,
    empty: false,
    indent: dash ? before.length - before.trimStart().length : col,
    keyCol: col,
    key: key ?? (prefix || "\u0000"),
    value: "",
    ...(lastDash !== undefined ? { dash: lastDash } : { dash: undefined }),
  };
  if (!dash) delete lines[i]!.dash;
  const from = pos - prefix.length;
  if (!dash && inBlockScalar(lines, i, col)) return { path: [], kind: "scalar", prefix, from, chain: [] };
  const chain = locate(lines, i, col, i).chain;
  const path = chain.length ? chain[chain.length - 1]!.path : [];
  const context: YamlContext = { path, kind, prefix, from, chain };
  if (key !== undefined) {
    context.key = key;
    const after = line.text.slice(pos - line.from).replace(/\s+#.*$/, "");
    context.value = unquote((prefix + after).trim().replace(/^["']/, "")).replace(/["']$/, "");
  }
  return context;
}

/** The `type` of the innermost block on the way to the cursor (the block whose docs to show). */
export function typeAtCursor(context: YamlContext | undefined): string | undefined {
  if (!context) return undefined;
  if (context.kind === "value" && context.key === "type" && context.value?.includes(".")) return context.value;
  for (let i = context.chain.length - 1; i >= 0; i--) {
    const type = context.chain[i]!.keys.type;
    if (type && type.includes(".")) return type;
  }
  return undefined;
}
