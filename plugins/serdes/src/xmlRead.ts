/**
 * XML read as it streams (saxes, a SAX parser) into the values Kestra's XmlToIon produces: Kestra
 * converts the whole document with org.json's `XML.toJSONObject` then applies `query` as a JSON
 * Pointer. Here only the elements `query` selects are built, with the same mapping:
 *
 * - an element is an object of its attributes and children; text goes under `content`;
 * - an element with text only is that text; an empty one is `""`;
 * - a name seen several times becomes an array (always one for names in `forceList`);
 * - text and attribute values are typed: `true`/`false`, `null`, integers, decimals; CDATA stays text.
 *
 * The selected values are handed out one by one: an array gives one record per element, anything
 * else one record. No entity is ever expanded (a DOCTYPE declaring entities is refused, and an
 * undefined entity is an error) and nothing external is fetched.
 */
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { ionFieldName, ionFloat, toIon } from "@saker/sdk/ion";

/** A decimal number as Ion text (`44.95`, `1.5d3`): org.json reads such numbers as BigDecimal. */
export class XmlDecimal {
  constructor(readonly ion: string) {}
}

/** A Java double (`1.5f`, `-0`), written as an Ion float. */
export class XmlDouble {
  constructor(readonly value: number) {}
}

const DECIMAL = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const JAVA_DOUBLE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]$/;
const INTEGER = /^-?\d+$/;

/** The value of a text or attribute, typed as org.json's `XML.stringToValue` does. */
export function xmlValue(text: string): unknown {
  if (text === "") return text;
  if (text.length <= 5) {
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
  }
  const first = text.charCodeAt(0);
  if (!((first >= 48 && first <= 57) || first === 45)) return text;
  if (text.includes(".") || text.includes("e") || text.includes("E") || text === "-0") {
    const m = DECIMAL.exec(text);
    if (m && (m[2] !== "" || (m[3] ?? "") !== "")) {
      const [, sign, int, frac, exp] = m;
      if (sign === "-" && /^0*$/.test(int! + (frac ?? ""))) return new XmlDouble(-0);
      const mantissa = `${sign}${int === "" ? "0" : int}${frac === undefined ? "" : `.${frac}`}`;
      return new XmlDecimal(
        exp === undefined ? (frac === undefined ? `${mantissa}.` : mantissa) : `${mantissa}d${exp}`,
      );
    }
    if (JAVA_DOUBLE.test(text)) return new XmlDouble(Number(text.slice(0, -1)));
    return text;
  }
  if (!INTEGER.test(text)) return text;
  // org.json keeps numbers with a leading zero (`007`, `-01`) as text.
  if (text.length > 1 && (text[0] === "0" || (text[0] === "-" && text[1] === "0" && text.length > 2))) return text;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The Ion text of a value built from XML: plain values, Maps (structs), {@link XmlDecimal} and {@link XmlDouble}. */
export function xmlIon(value: unknown): string {
  if (value instanceof XmlDecimal) return value.ion;
  if (value instanceof XmlDouble) return Object.is(value.value, -0) ? "-0e0" : ionFloat(value.value);
  if (Array.isArray(value)) return `[${value.map(xmlIon).join(",")}]`;
  if (!(value instanceof Map)) return toIon(value); // strings, numbers, bigints, booleans, null
  let text = "{";
  let first = true;
  for (const [key, item] of value as Map<string, unknown>) {
    text += `${first ? "" : ","}${ionFieldName(key)}:${xmlIon(item)}`;
    first = false;
  }
  return `${text}}`;
}

/** XML that is not well-formed, or refused (entities, depth): `line` and `column` locate it. */
export class XmlReadError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** A `query` that Kestra would answer with nothing but whose records were already streamed out. */
export class XmlQueryError extends Error {}

/** The tokens of a JSON Pointer (`/catalog/book`, `#/catalog/book`); `[]` selects the whole document. */
export function pointerTokens(query: string | undefined): string[] {
  if (query === undefined || query === "" || query === "#") return [];
  let q = query;
  let fragment = false;
  if (q.startsWith("#")) {
    fragment = true;
    q = q.slice(1);
  }
  if (!q.startsWith("/")) {
    throw new Error(`query '${query}' is not a path: it starts with '/', as in /catalog/book (a JSON Pointer)`);
  }
  return q
    .slice(1)
    .split("/")
    .map((t) => {
      let token = t;
      if (fragment) {
        try {
          token = decodeURIComponent(t);
        } catch {
          throw new Error(`query '${query}' has a malformed %-escape in '${t}'`);
        }
      }
      return token.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

/** An element being built: its fields in document order. */
type Obj = Map<string, unknown>;

/** org.json's `accumulate`: a second value under a key turns it into an array. */
function accumulate(obj: Obj, key: string, value: unknown): void {
  const current = obj.get(key);
  if (current === undefined) obj.set(key, Array.isArray(value) ? [value] : value);
  else if (Array.isArray(current)) current.push(value);
  else obj.set(key, [current, value]);
}

/** org.json's `append`: always an array. */
function append(obj: Obj, key: string, value: unknown): void {
  const current = obj.get(key);
  if (Array.isArray(current)) current.push(value);
  else obj.set(key, current === undefined ? [value] : [current, value]);
}

const EMPTY_LIST: unique symbol = Symbol("empty forced list");

/** What an element adds under its name in its parent, org.json's way ({@link EMPTY_LIST}: an empty forced list). */
function elementValue(obj: Obj, forced: boolean): unknown {
  if (obj.size === 0) return forced ? EMPTY_LIST : "";
  if (obj.size === 1 && obj.has("content")) return obj.get("content");
  return obj;
}

interface Gate {
  pending: string[];
}

interface Frame {
  name: string;
  /** The object being built (this element is part of a selected value). */
  node?: Obj;
  /** Emit this element's value as a record when it closes. */
  record?: boolean;
  /** Navigating: the index in the tokens of the key looked up in this element. */
  nav: number;
  /** How many values the key has had so far (attribute, elements). */
  count: number;
  /** Records emitted when the first value of the key opened, to tell whether a repeat comes too late. */
  emittedAtFirst?: number;
  /** Texts of this element, when the key is `content`. */
  texts?: unknown[];
  /** Whether the element has attributes or child elements (else its value is its text). */
  hasOther: boolean;
  /** Records that count only if the key gets a second value (the key's index 0 of an array). */
  gate?: Gate;
}

export interface XmlSelectOptions {
  /** JSON Pointer tokens ({@link pointerTokens}). */
  tokens: string[];
  /** Names always read as arrays. */
  forceList: ReadonlySet<string>;
  /** Deepest element nesting accepted. */
  maxDepth: number;
  /** Counts the records written out. */
  counter?: { records: number };
}

/** Java's `String.trim` for XML text: spaces, tabs and line breaks at both ends. */
function trimXml(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

const isIndex = (token: string) => /^[+-]?\d+$/.test(token);

/**
 * The Ion lines (each ending with `\n`) of the records `options.tokens` selects in the XML text
 * `source`, produced as the text arrives. Throws {@link XmlReadError} for XML that is not
 * well-formed or refused, and {@link XmlQueryError} as described there.
 */
export async function* selectXmlRecords(
  source: AsyncIterable<string>,
  options: XmlSelectOptions,
): AsyncGenerator<string> {
  const { tokens, forceList, maxDepth } = options;
  const counter = options.counter ?? { records: 0 };
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const out: string[] = [];
  let emitted = 0;
  let text = "";
  let sawRoot = false;
  let sawContent = false;

  const doc: Frame = { name: "", nav: tokens.length > 0 ? 0 : -1, count: 0, hasOther: true };
  if (tokens.length === 0) doc.node = new Map();
  const stack: Frame[] = [doc];

  const fail = (message: string): never => {
    throw new XmlReadError(message, parser.line, parser.column);
  };
  /** A record, into the nearest open gate below `from` (a stack index) or out. */
  const emitFrom = (from: number, line: string) => {
    for (let i = from; i >= 0; i--) {
      const gate = stack[i]!.gate;
      if (gate) {
        gate.pending.push(line);
        return;
      }
    }
    counter.records++;
    out.push(line);
  };
  const emit = (value: unknown) => {
    if (value === EMPTY_LIST) return;
    emitted++;
    emitFrom(stack.length - 1, `${xmlIon(value)}\n`);
  };
  /** The key of `frame` got a second value: records waiting on its first one count. */
  const openGate = (frame: Frame, index: number) => {
    const gate = frame.gate;
    if (!gate) return;
    frame.gate = undefined;
    for (const line of gate.pending) emitFrom(index - 1, line);
  };
  const wantsText = (frame: Frame) =>
    frame.node !== undefined || (frame.texts !== undefined && frame.nav === tokens.length - 1);
  const addText = (frame: Frame, value: unknown) => {
    if (frame.node) accumulate(frame.node, "content", value);
    else if (frame.texts) frame.texts.push(value);
  };
  const flushText = () => {
    if (text === "") return;
    const t = trimXml(text);
    text = "";
    if (t !== "") addText(stack[stack.length - 1]!, xmlValue(t));
  };

  /** A child of a navigating frame whose name is the key: what it becomes. */
  const select = (parent: Frame, index: number, name: string): Frame => {
    const frame: Frame = { name, nav: -1, count: 0, hasOther: false };
    const position = parent.count++;
    const key = tokens[parent.nav]!;
    const forced = forceList.has(key);
    if (parent.nav === tokens.length - 1) {
      frame.node = new Map();
      frame.record = true;
      return frame;
    }
    const next = tokens[parent.nav + 1]!;
    if (isIndex(next)) {
      if (position === 1) openGate(parent, index);
      if (position !== Number(next)) return frame;
      if (position === 0 && !forced) parent.gate = { pending: [] };
      if (parent.nav + 2 === tokens.length) {
        frame.node = new Map();
        frame.record = true;
      } else frame.nav = parent.nav + 2;
      return frame;
    }
    if (forced) return frame; // an array has no named keys
    if (position === 0) {
      parent.emittedAtFirst = emitted;
      frame.nav = parent.nav + 1;
    } else if (parent.emittedAtFirst !== undefined && emitted > parent.emittedAtFirst) {
      throw new XmlQueryError(
        `<${name}> occurs more than once in <${parent.name}> (line ${parser.line}), so the path has no single value there and Kestra's query selects nothing; records were already written: pick one occurrence with an index, as in .../${name}/0/...`,
      );
    }
    return frame;
  };

  /** A navigating frame just opened: its attributes may hold the key. */
  const attributesOf = (frame: Frame, attributes: Record<string, string>) => {
    const key = tokens[frame.nav]!;
    frame.texts = key === "content" ? [] : undefined;
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) return;
    frame.count = 1;
    const value = xmlValue(attributes[key]!);
    if (frame.nav === tokens.length - 1) emit(value);
    else if (
      frame.nav + 2 === tokens.length &&
      isIndex(tokens[frame.nav + 1]!) &&
      Number(tokens[frame.nav + 1]) === 0
    ) {
      frame.gate = { pending: [] };
      emit(value);
    }
  };

  parser.on("doctype", (doctype) => {
    if (/<!ENTITY/i.test(doctype)) fail("the DOCTYPE declares entities, which are refused (no entity expansion)");
  });
  parser.on("text", (t) => {
    if (wantsText(stack[stack.length - 1]!)) text += t;
  });
  parser.on("cdata", (c) => {
    flushText();
    const top = stack[stack.length - 1]!;
    if (c.length > 0 && wantsText(top)) addText(top, c);
  });
  parser.on("comment", flushText);
  parser.on("processinginstruction", flushText);
  parser.on("opentag", (tag: SaxesTagPlain) => {
    flushText();
    sawRoot = true;
    if (stack.length > maxDepth) fail(`elements nest deeper than ${maxDepth} levels`);
    const index = stack.length - 1;
    const parent = stack[index]!;
    parent.hasOther = true;
    let frame: Frame;
    if (parent.node) {
      const node = new Map();
      for (const name in tag.attributes) accumulate(node, name, xmlValue(tag.attributes[name]!));
      frame = { name: tag.name, node, nav: -1, count: 0, hasOther: true };
    } else if (parent.nav >= 0 && tag.name === tokens[parent.nav]) {
      frame = select(parent, index, tag.name);
      if (frame.node) for (const name in tag.attributes) accumulate(frame.node, name, xmlValue(tag.attributes[name]!));
      if (frame.nav >= 0) {
        for (const _ in tag.attributes) {
          frame.hasOther = true;
          break;
        }
        stack.push(frame);
        attributesOf(frame, tag.attributes);
        return;
      }
    } else frame = { name: tag.name, nav: -1, count: 0, hasOther: false };
    stack.push(frame);
  });
  let lastClosed = "";
  parser.on("closetag", (tag) => {
    lastClosed = tag.name;
    flushText();
    const frame = stack[stack.length - 1]!;
    const forced = forceList.has(frame.name);
    if (frame.node) {
      const value = elementValue(frame.node, forced);
      if (frame.record) emit(value);
      else {
        const parentNode = stack[stack.length - 2]!.node!;
        if (value === EMPTY_LIST) parentNode.set(frame.name, []);
        else if (forced) append(parentNode, frame.name, value);
        else accumulate(parentNode, frame.name, value);
      }
    } else if (frame.texts && frame.hasOther) {
      for (const t of frame.texts) emit(t);
    }
    stack.pop();
  });

  const run = (write: () => void) => {
    try {
      write();
    } catch (error) {
      if (error instanceof XmlReadError || error instanceof XmlQueryError) throw error;
      const m = /^(?:[^:]*:)?(\d+):(\d+): ([^]*)$/.exec((error as Error).message);
      if (m) {
        const message =
          m[3] === "unexpected close tag." ? `unexpected close tag: <${lastClosed}> is not closed` : m[3]!;
        throw new XmlReadError(message, Number(m[1]), Number(m[2]));
      }
      throw new XmlReadError((error as Error).message, parser.line, parser.column);
    }
  };
  for await (const chunk of source) {
    if (!sawContent && chunk.trim() === "") continue;
    sawContent = true;
    run(() => parser.write(chunk));
    if (out.length > 0) yield out.splice(0).join("");
  }
  if (sawContent || sawRoot) run(() => parser.close());
  // An empty file is an empty document, as for org.json.
  if (doc.node) emit(doc.node);
  if (out.length > 0) yield out.splice(0).join("");
}
