/**
 * Enabling or disabling a flow by editing its source (a new revision, as Kestra does).
 *
 * The source is edited as text, through the `yaml` package's lexer (its CST tokens): only the
 * top-level `disabled` value changes, or a `disabled: true` line is added after the top-level
 * map's last entry (after the comments indented under that entry, before the comments and blank
 * lines that end the document, before a `...` end marker). Everything else, comments, layout and
 * quoting, stays byte for byte, and a 5 MB flow is edited in a fraction of the time a `Document`
 * takes to parse and print it. A shape the text edit does not handle (a flow-style root, tabs
 * in indentation, directives, several documents, explicit `?` keys, a `disabled` value that is
 * not a plain scalar on its line…) goes through a `Document` as before.
 */
import YAML, { CST, Lexer } from "yaml";

export interface DisabledEdit {
  /** The edited source (the given one when nothing changes). */
  source: string;
  /**
   * Whether `source` is the given one with only its top-level `disabled` value changed, or a
   * `disabled: true` line added, and no top-level `revision`: the flow it gives is then the flow
   * the given source gives with `disabled` set (see FlowService.toggleAsync). False when nothing
   * changed, or the source went through a `Document`.
   */
  only: boolean;
}

/** The source with `disabled` set; comments and layout are kept. */
export function withDisabled(source: string, disabled: boolean): string {
  return editDisabled(source, disabled).source;
}

/** `withDisabled`, saying whether only `disabled` changed (see DisabledEdit.only). */
export function editDisabled(source: string, disabled: boolean): DisabledEdit {
  const root = scanRoot(source);
  if (!root) return { source: withDisabledDocument(source, disabled), only: false };
  const entry = root.keys.get("disabled");
  let edited: string;
  if (!entry) {
    if (!disabled) return { source, only: false };
    const at = root.insertAt;
    const lineBreak = at === source.length && !source.endsWith("\n") ? root.newline : "";
    edited = `${source.slice(0, at)}${lineBreak}${" ".repeat(root.indent)}disabled: true${root.newline}${source.slice(at)}`;
  } else {
    if (entry.plain === undefined) return { source: withDisabledDocument(source, disabled), only: false };
    if (disabled ? TRUE.test(entry.plain) : FALSE.test(entry.plain)) return { source, only: false };
    edited = source.slice(0, entry.start) + String(disabled) + source.slice(entry.start + entry.plain.length);
  }
  return { source: edited, only: !root.keys.has("revision") };
}

/** The way before: through a `Document`, which prints the whole source again. */
function withDisabledDocument(source: string, disabled: boolean): string {
  const doc = YAML.parseDocument(source);
  if (!disabled && !doc.has("disabled")) return source;
  doc.set("disabled", disabled);
  return doc.toString();
}

/** The YAML 1.2 core schema's booleans (what the `yaml` package reads as one). */
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;

interface RootEntry {
  /** Offset of the value's first token (or of the line's end when there is none). */
  start: number;
  /** The value when it is a plain scalar on one line. */
  plain?: string;
}

interface Root {
  indent: number;
  keys: Map<string, RootEntry>;
  /** Where a new top-level entry goes. */
  insertAt: number;
  /** The source's line break. */
  newline: string;
}

/**
 * What comes next on a top-level entry's line: nothing to follow (`none`), the key's text after
 * a scalar marker (`key`), the key's `:` (`colon`), its value (`value`), the value's plain text
 * after a scalar marker (`plain`).
 */
type At = "none" | "key" | "colon" | "value" | "plain";

/** The text of a quoted scalar on one line, when it has no escape. */
function quotedText(token: string): string | undefined {
  if (token.length < 2 || token.includes("\n") || token[token.length - 1] !== token[0]) return undefined;
  const inner = token.slice(1, -1);
  if (token[0] === '"') return inner.includes("\\") ? undefined : inner;
  return inner.replaceAll("''", "'");
}

/**
 * The top-level block map of a one-document source, read from the lexer's tokens: its indent,
 * keys and where a new key goes. Undefined for any other shape (left to a `Document`).
 */
function scanRoot(source: string): Root | undefined {
  let offset = 0;
  let depth = 0; // flow collections open
  let lineStart = true; // nothing but spaces yet on this line
  let lineIndent = 0;
  let lineTab = false; // a tab in the line's leading spaces
  let rootIndent = -1;
  let contentSeen = false;
  let started = false; // after a `---` marker
  let ended = false; // after a `...` marker
  let scalarNext = false; // after a scalar marker: the next token is the scalar's text
  let blockNext = false; // after a block scalar header: its text comes after the next scalar marker
  // The top-level entry being read (an object: the closures below change it).
  const pending: { at: At; key: string } = { at: "none", key: "" };
  const keys = new Map<string, RootEntry>();
  let lastEnd = -1; // end of the last content token
  let lastBlock = false; // whether that token is a block scalar's text
  let commentIndent = -1; // indent of the first comment line after the last content
  let commentEnd = -1; // end of the last comment line after the last content
  let newline: string | undefined;

  const addKey = (entry: RootEntry): boolean => {
    if (keys.has(pending.key)) return false;
    keys.set(pending.key, entry);
    pending.at = "none";
    return true;
  };
  /** A content token (or scalar marker); false for a shape left to a Document. */
  const content = (token: string): boolean => {
    if (ended) return false;
    if (lineStart && depth === 0) {
      if (lineTab) return false;
      if (rootIndent < 0) rootIndent = lineIndent;
      if (lineIndent < rootIndent) return false;
      if (lineIndent === rootIndent) {
        if (token === CST.SCALAR) pending.at = "key";
        else if (token === "-" && contentSeen)
          pending.at = "none"; // a list at its key's indent
        else {
          const text = token[0] === '"' || token[0] === "'" ? quotedText(token) : undefined;
          if (text === undefined) return false;
          pending.key = text;
          pending.at = "colon";
        }
      }
    } else if (rootIndent < 0) return false;
    lineStart = false;
    contentSeen = true;
    commentIndent = -1;
    return true;
  };

  for (const token of new Lexer().lex(source)) {
    if (scalarNext) {
      scalarNext = false;
      if (blockNext) {
        // A block scalar's text: whole lines, up to its last line break (kept blank lines too).
        blockNext = false;
        if (token.length > 0) {
          lastEnd = offset + token.length;
          lastBlock = true;
          commentIndent = -1;
          lineStart = true;
          lineIndent = 0;
          lineTab = false;
        }
      } else {
        if (pending.at === "key") {
          if (token === "" || token.includes("\n") || token.includes("\r")) return undefined;
          pending.key = token;
          pending.at = "colon";
        } else if (pending.at === "plain") {
          const oneLine = token !== "" && !token.includes("\n") && !token.includes("\r");
          if (!addKey(oneLine ? { start: offset, plain: token } : { start: offset })) return undefined;
        }
        if (token.length > 0) {
          lastEnd = offset + token.length;
          lastBlock = false;
        }
      }
      offset += token.length;
      continue;
    }
    if (token === CST.SCALAR) {
      scalarNext = true;
      if (blockNext) continue;
      const before = pending.at;
      if (!content(token)) return undefined;
      if (before === "value") pending.at = "plain";
      else if (before === "colon") return undefined;
      continue;
    }
    if (token === CST.DOCUMENT) continue;
    const type = CST.tokenType(token);
    switch (type) {
      case "space":
        if (lineStart) {
          lineIndent += token.length;
          if (token.includes("\t")) lineTab = true;
        }
        break;
      case "newline":
        if (token === "") break;
        newline ??= token;
        if (depth === 0) {
          if (pending.at === "key" || pending.at === "colon") return undefined;
          if (pending.at === "value" && !addKey({ start: offset })) return undefined;
        }
        lineStart = true;
        lineIndent = 0;
        lineTab = false;
        break;
      case "comment":
        if (depth === 0 && pending.at === "colon") return undefined;
        if (depth === 0 && pending.at === "value" && !addKey({ start: offset })) return undefined;
        if (lineStart && depth === 0 && !ended && contentSeen) {
          if (commentIndent < 0) commentIndent = lineIndent;
          commentEnd = offset + token.length;
        }
        lineStart = false;
        break;
      case "doc-start":
        if (contentSeen || started) return undefined;
        started = true;
        lineStart = false;
        break;
      case "doc-end":
        if (!contentSeen || depth > 0) return undefined;
        ended = true;
        lineStart = false;
        break;
      case "seq-item-ind":
      case "explicit-key-ind":
      case "map-value-ind":
      case "flow-map-start":
      case "flow-map-end":
      case "flow-seq-start":
      case "flow-seq-end":
      case "comma":
      case "anchor":
      case "tag":
      case "alias":
      case "single-quoted-scalar":
      case "double-quoted-scalar":
      case "block-scalar-header": {
        const before = pending.at;
        if (!content(token)) return undefined;
        if (depth === 0 && before === "colon") {
          if (type !== "map-value-ind") return undefined;
          pending.at = "value";
        } else if (depth === 0 && before === "value") {
          if (!addKey({ start: offset })) return undefined;
        }
        if (type === "flow-map-start" || type === "flow-seq-start") depth++;
        else if (type === "flow-map-end" || type === "flow-seq-end") depth--;
        else if (type === "block-scalar-header") blockNext = true;
        lastEnd = offset + token.length;
        lastBlock = false;
        break;
      }
      default:
        // directives, a byte order mark, an unclosed flow collection, an unknown token
        return undefined;
    }
    offset += token.length;
  }
  if (rootIndent < 0 || depth !== 0 || scalarNext || blockNext) return undefined;
  if (pending.at === "key" || pending.at === "colon") return undefined;
  if (pending.at === "value" && !addKey({ start: offset })) return undefined;

  // After the last entry's last line; a block scalar's text ends with its line break.
  let insertAt: number;
  if (lastBlock) {
    if (source[lastEnd - 1] !== "\n") return undefined;
    insertAt = lastEnd;
  } else insertAt = lineEnd(source, lastEnd);
  // Comments indented under the last entry stay with it (as a Document reads them); the others end the document.
  if (commentIndent > rootIndent) insertAt = lineEnd(source, commentEnd);
  return { indent: rootIndent, keys, insertAt, newline: newline ?? "\n" };
}

/** The offset after the line break that ends the line holding `offset` (the source's end when none). */
function lineEnd(source: string, offset: number): number {
  const nl = source.indexOf("\n", offset);
  return nl < 0 ? source.length : nl + 1;
}
