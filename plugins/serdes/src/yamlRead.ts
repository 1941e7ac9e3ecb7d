/**
 * YAML read as it streams, one document at a time (the `yaml` package's parser fed chunk by
 * chunk), and typed as Kestra's reader types it: Jackson over SnakeYAML, so YAML 1.1 scalars
 * (`yes`/`no`/`on`/`off` are booleans, `010` is octal, `~` is null, dates stay strings). Documents
 * are parsed with the failsafe schema (every scalar a string) and typed here.
 */
import { Composer, isAlias, isMap, isScalar, isSeq, Parser, type Document, type Node, type Scalar } from "yaml";
import { fieldNamesOf, keepFieldOrder } from "@saker/sdk/ion";
import { JavaDouble } from "./values.ts";

/** YAML that cannot be read; `line` and `column` count from 1. */
export class YamlReadError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Values an alias may expand to in one document: past it the document is refused (a billion laughs). */
const MAX_ALIASED_VALUES = 1_000_000;
/** Deepest nesting read, Jackson's default limit. */
const MAX_DEPTH = 1000;

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT =
  /^(?:[-+]?0b_*[0-1]+[0-1_]*|[-+]?0_*[0-7]+[0-7_]*|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F]+[0-9a-fA-F_]*|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:\.[0-9]+|[0-9_]+(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL = /^(?:~|null|Null|NULL)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An integer in its smallest form: a number when exact, else a bigint. */
function integer(digits: string, radix: number, negative: boolean): number | bigint {
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  const big = BigInt(prefix + (digits || "0"));
  const value = negative ? -big : big;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** An `int` scalar as Jackson decodes it (underscores dropped; `0x`, `0b`, leading-0 octal); else undefined (a string). */
function decodeInt(text: string): number | bigint | undefined {
  const negative = text.startsWith("-");
  const body = text.replace(/^[-+]/, "").replace(/_/g, "");
  if (body === "" || body.includes(":")) return undefined; // sexagesimal: a string for Jackson
  if (/^0[bB][01]+$/.test(body)) return integer(body.slice(2), 2, negative);
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) return integer(body.slice(2), 16, negative);
  if (/^0[0-7]+$/.test(body)) return integer(body.slice(1), 8, negative);
  if (/^\d+$/.test(body)) return integer(body, 10, negative);
  return undefined;
}

/** A `float` scalar: a plain number when it is not an integer, else a {@link JavaDouble}; undefined when not a number. */
function decodeFloat(text: string): number | JavaDouble | undefined {
  const body = text.replace(/_/g, "");
  let value: number;
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(body)) value = body.startsWith("-") ? -Infinity : Infinity;
  else if (/^\.(?:nan|NaN|NAN)$/.test(body)) value = NaN;
  else if (/^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/.test(body)) value = Number(body);
  else return undefined;
  return Number.isInteger(value) || !Number.isFinite(value) ? new JavaDouble(value) : value;
}

/** A YAML 1.1 boolean word as Jackson matches it with `!!bool` (any case, `y`/`n` included). */
function yamlBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (["y", "yes", "on", "true"].includes(lower)) return true;
  if (["n", "no", "off", "false"].includes(lower)) return false;
  return undefined;
}

/** A plain (unquoted, untagged) scalar typed by SnakeYAML's resolver and decoded as Jackson decodes it. */
export function plainScalar(text: string): unknown {
  if (text === "") return null;
  if (BOOL.test(text)) return yamlBoolean(text);
  if (INT.test(text)) return decodeInt(text) ?? text;
  if (FLOAT.test(text)) return decodeFloat(text) ?? text;
  if (NULL.test(text)) return null;
  return text;
}

/** Line starts of the document being read (those of documents already read are dropped). */
class LineIndex {
  private starts: number[] = [0];
  private dropped = 0;

  readonly add = (offset: number): void => {
    if (offset > this.starts.at(-1)!) this.starts.push(offset);
  };

  at(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: this.dropped + low + 1, column: offset - this.starts[low]! + 1 };
  }

  /** Forgets the lines that end before `offset`. */
  forget(offset: number): void {
    let keep = 0;
    while (keep + 1 < this.starts.length && this.starts[keep + 1]! <= offset) keep++;
    if (keep > 0) {
      this.starts = this.starts.slice(keep);
      this.dropped += keep;
    }
  }
}

/** Turns one parsed document into plain values, aliases and merge keys (`<<`) resolved. */
class DocumentValues {
  private readonly anchors = new Map<string, Node>();
  private readonly converted = new Map<Node, { value: unknown; size: number }>();
  private readonly open = new Set<Node>();
  private aliased = 0;

  constructor(private readonly where: (node: Node) => YamlReadError) {}

  value(node: Node | null | undefined, depth = 0): { value: unknown; size: number } {
    if (!node) return { value: null, size: 1 };
    if (depth > MAX_DEPTH) throw this.fail(node, `nested deeper than ${MAX_DEPTH} levels`);
    if (isAlias(node)) return this.alias(node, depth);
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) this.anchors.set(anchor, node);
    const done = this.converted.get(node);
    if (done) return done;
    this.open.add(node);
    const result = isScalar(node)
      ? { value: this.scalar(node), size: 1 }
      : isSeq(node)
        ? this.sequence(node.items as Node[], depth)
        : isMap(node)
          ? this.mapping(node.items as { key: Node | null; value: Node | null }[], depth)
          : { value: null, size: 1 };
    this.open.delete(node);
    if (anchor) this.converted.set(node, result);
    return result;
  }

  private alias(node: Node & { source: string }, depth: number): { value: unknown; size: number } {
    const target = this.anchors.get(node.source);
    if (!target) throw this.fail(node, `unknown alias *${node.source}`);
    if (this.open.has(target)) throw this.fail(node, `the alias *${node.source} refers to a value that holds it`);
    const result = this.value(target, depth);
    this.aliased += result.size;
    if (this.aliased > MAX_ALIASED_VALUES)
      throw this.fail(node, `aliases expand to more than ${MAX_ALIASED_VALUES} values: refused`);
    return result;
  }

  private scalar(node: Scalar): unknown {
    // the text as written (quotes and escapes resolved): the value may already be typed by a tag yaml knows (`!!binary`)
    const text = node.source ?? String(node.value ?? "");
    const tag = node.tag;
    if (!tag || tag === "!") return node.type === "PLAIN" && !tag ? plainScalar(text) : text;
    switch (tag.replace(/^tag:yaml\.org,2002:/, "!!")) {
      case "!!int":
        return decodeInt(text) ?? text;
      case "!!float": {
        const value = decodeFloat(text);
        if (value === undefined) throw this.fail(node, `!!float '${text}' is not a number`);
        return value;
      }
      case "!!bool":
        return yamlBoolean(text) ?? text;
      case "!!null":
        return null;
      case "!!binary": {
        const base64 = text.replace(/\s+/g, "");
        if (!BASE64.test(base64)) throw this.fail(node, "!!binary value is not base64");
        return Buffer.from(base64, "base64");
      }
      default:
        return text; // !!str, !!timestamp, local tags: the text, as Jackson reads them
    }
  }

  private sequence(items: Node[], depth: number): { value: unknown[]; size: number } {
    let size = 1;
    const out = items.map((item) => {
      const converted = this.value(item, depth + 1);
      size += converted.size;
      return converted.value;
    });
    return { value: out, size };
  }

  private mapping(pairs: { key: Node | null; value: Node | null }[], depth: number): { value: unknown; size: number } {
    const out: Record<string, unknown> = {};
    const names: string[] = [];
    let size = 1;
    const set = (name: string, value: unknown) => {
      if (!Object.hasOwn(out, name)) names.push(name);
      // as JSON.parse sets it: a "__proto__" key is an own field
      Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
    };
    const merged = new Set<string>();
    for (const pair of pairs) {
      if (isScalar(pair.key) && pair.key.type === "PLAIN" && !pair.key.tag && pair.key.value === "<<") {
        const source = this.value(pair.value, depth + 1);
        size += source.size;
        for (const record of Array.isArray(source.value) ? source.value : [source.value]) {
          if (record === null || typeof record !== "object" || Array.isArray(record))
            throw this.fail(pair.value ?? pair.key, "a merge key (<<) takes a mapping or a list of mappings");
          for (const name of fieldNamesOf(record))
            if (!merged.has(name) && !Object.hasOwn(out, name)) {
              merged.add(name);
              set(name, (record as Record<string, unknown>)[name]);
            }
        }
        continue;
      }
      const converted = this.value(pair.value, depth + 1);
      size += converted.size;
      set(this.key(pair.key), converted.value);
    }
    return { value: keepFieldOrder(out, names), size };
  }

  /** A field name: the text of a scalar key, as Jackson takes it (`1`, `true`, `~` are names). */
  private key(node: Node | null): string {
    const target = node && isAlias(node) ? this.anchors.get(node.source) : node;
    if (!target) return "";
    if (isScalar(target)) return target.source ?? String(target.value ?? "");
    throw this.fail(node!, "a mapping or a list cannot be a field name");
  }

  private fail(node: Node, message: string): YamlReadError {
    const error = this.where(node);
    return new YamlReadError(message, error.line, error.column);
  }
}

/**
 * The documents of a YAML text stream, in order, each one read as its text arrives (memory holds
 * one document). An empty document gives null. Bad YAML throws a {@link YamlReadError}.
 */
export async function* yamlDocuments(text: AsyncIterable<string>): AsyncGenerator<unknown> {
  const lines = new LineIndex();
  const parser = new Parser(lines.add);
  const composer = new Composer({ schema: "failsafe", uniqueKeys: false });
  const read = function* (doc: Document.Parsed): Generator<unknown> {
    const error = doc.errors[0];
    if (error) {
      const { line, column } = lines.at(error.pos[0]);
      throw new YamlReadError(error.message.replace(/ at line \d+, column \d+[\s\S]*$/, ""), line, column);
    }
    const values = new DocumentValues((node) => {
      const { line, column } = lines.at(node.range?.[0] ?? doc.range[0]);
      return new YamlReadError("", line, column);
    });
    yield values.value(doc.contents as Node | null).value;
    lines.forget(doc.range[2]);
  };
  for await (const chunk of text)
    for (const token of parser.parse(chunk, true)) for (const doc of composer.next(token)) yield* read(doc);
  for (const token of parser.parse("", false)) for (const doc of composer.next(token)) yield* read(doc);
  for (const doc of composer.end()) yield* read(doc);
}

/**
 * The records of a YAML stream as Kestra reads them (Jackson's `readValues`): each document is a
 * record, but a first document that is a list gives one record per item. Empty documents (null,
 * such as after a trailing `---`) give none.
 */
export async function* yamlRecords(text: AsyncIterable<string>): AsyncGenerator<unknown> {
  let first = true;
  for await (const document of yamlDocuments(text)) {
    if (first && Array.isArray(document)) yield* document;
    else if (document !== null) yield document;
    first = false;
  }
}
