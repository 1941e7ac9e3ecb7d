/**
 * Ion files as Kestra stores rows (one value per line, `FileSerde`): write plain values as Ion
 * text and read such files back as a stream of plain values. Shared by the plugins that produce
 * or consume these files; import it as `@saker/sdk/ion` so plugins that do not need it never load ion-js.
 */
import * as ion from "ion-js";
import {
  fieldNamesOf,
  IonAnnotated,
  IonDecimal,
  IonTimestamp,
  keepFieldOrder,
  readIonLine,
  UNSUPPORTED,
} from "./ionFastRead.ts";
import { textLines, valueLines } from "./ionValueLines.ts";

export { textLines } from "./ionValueLines.ts";
export {
  FIELD_ORDER,
  fieldNamesOf,
  fieldOrderFor,
  keepFieldOrder,
  withFieldOrder,
  IonAnnotated,
  IonDecimal,
  IonTemporal,
  IonTimestamp,
  temporalOf,
  type TemporalKind,
  untag,
} from "./ionFastRead.ts";

/** Options of {@link readIonLines}. */
export interface ReadIonOptions {
  /**
   * Keep what plain data loses: timestamps as {@link IonTimestamp}, decimals as {@link IonDecimal},
   * annotated values as {@link IonAnnotated} ({@link temporalOf} gives a date-time's Java kind).
   */
  tagged?: boolean;
  /**
   * A value may span lines (a pretty-printed JSON document, as a download stores one), as Kestra's
   * Ion reader takes any Ion text: lines are joined per top-level value, one held at a time, and
   * one longer than `maxValueChars` (default 128 MiB) fails. Errors name the line a value starts on.
   */
  acrossLines?: boolean;
  maxValueChars?: number;
}

const SYMBOL = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORDS = new Set(["null", "true", "false", "nan"]);
const fieldNames = new Map<string, string>();

/** A field name: a bare symbol when Ion allows one, else a quoted symbol. Cached: rows repeat their columns. */
export function ionFieldName(name: string): string {
  let text = fieldNames.get(name);
  if (text === undefined) {
    text =
      SYMBOL.test(name) && !KEYWORDS.has(name)
        ? name
        : `'${name.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
    if (fieldNames.size < 10_000) fieldNames.set(name, text);
  }
  return text;
}

/** JSON's string escapes (`\" \\ \n \uXXXX`) are all valid Ion escapes. */
export const ionString = (text: string): string => JSON.stringify(text);

export function ionFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "+inf" : "-inf";
  const text = String(value);
  return /e/i.test(text) ? text : `${text}e0`;
}

/**
 * A value that writes its own Ion text (`[ION_TEXT]()`), for what plain data cannot tell apart:
 * a Java double whose value is an integer (`1.0`, an Ion float, not the int `1`).
 */
export const ION_TEXT = Symbol.for("saker.ionText");

/**
 * The Ion text of a plain value, without a line break: strings, numbers (an integer stays an Ion
 * int, any other number is a float), bigints, booleans, null, Dates (timestamps), bytes (blobs),
 * arrays and objects (structs, fields in their {@link FIELD_ORDER} when they have one).
 */
export function toIon(value: unknown): string {
  switch (typeof value) {
    case "string":
      return ionString(value);
    case "number":
      return Number.isInteger(value) ? String(value) : ionFloat(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "null";
    default:
  }
  if (value === null) return "null";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "null" : value.toISOString();
  if (value instanceof Uint8Array)
    return `{{${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64")}}}`;
  if (Array.isArray(value)) return `[${value.map(toIon).join(",")}]`;
  if (typeof value === "object") {
    const own = (value as { [ION_TEXT]?: () => string })[ION_TEXT];
    if (own) return own.call(value);
    let text = "{";
    let first = true;
    const record = value as Record<string, unknown>;
    for (const key of fieldNamesOf(record)) {
      text += `${first ? "" : ","}${ionFieldName(key)}:${toIon(record[key])}`;
      first = false;
    }
    return `${text}}`;
  }
  return ionString(String(value));
}

/**
 * The value under an ion-js reader (after its `next()` gave `type`), as plain data: ints are
 * numbers (bigints beyond 2^53), decimals and timestamps are their text (a day timestamp is
 * `yyyy-MM-dd`), annotated strings such as `LocalDateTime::"…"` are the string, blobs are Buffers;
 * a struct's fields keep the text's order ({@link keepFieldOrder}), which ion-js' DOM loses.
 */
function fromReader(reader: ion.Reader, type: ion.IonType, tagged: boolean, annotations = true): unknown {
  if (reader.isNull()) return null;
  if (tagged && annotations) {
    const names = reader.annotations();
    if (names.length > 0) return new IonAnnotated(names[0]!, fromReader(reader, type, true, false));
  }
  switch (type) {
    case ion.IonTypes.BOOL:
      return reader.booleanValue();
    case ion.IonTypes.INT: {
      const big = reader.bigIntValue();
      if (big === null) return null;
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case ion.IonTypes.FLOAT:
      return reader.numberValue();
    case ion.IonTypes.DECIMAL: {
      const text = reader.decimalValue()?.toString();
      return text === undefined ? null : tagged ? new IonDecimal(text) : text;
    }
    case ion.IonTypes.TIMESTAMP: {
      const text = reader.timestampValue()?.toString();
      if (text === undefined) return null;
      const plain = text.endsWith("T") ? text.slice(0, -1) : text;
      return tagged ? new IonTimestamp(plain) : plain;
    }
    case ion.IonTypes.STRING:
    case ion.IonTypes.SYMBOL:
      return reader.stringValue();
    case ion.IonTypes.BLOB:
    case ion.IonTypes.CLOB:
      return Buffer.from(reader.uInt8ArrayValue() ?? new Uint8Array());
    case ion.IonTypes.LIST:
    case ion.IonTypes.SEXP: {
      const out: unknown[] = [];
      reader.stepIn();
      for (let t = reader.next(); t !== null; t = reader.next()) out.push(fromReader(reader, t, tagged));
      reader.stepOut();
      return out;
    }
    case ion.IonTypes.STRUCT: {
      const out: Record<string, unknown> = {};
      const names: string[] = [];
      reader.stepIn();
      for (let t = reader.next(); t !== null; t = reader.next()) {
        const name = reader.fieldName()!;
        names.push(name);
        out[name] = fromReader(reader, t, tagged);
      }
      reader.stepOut();
      return keepFieldOrder(out, names);
    }
    default:
      return null;
  }
}

/** Every top-level value of an Ion text, read by ion-js. */
function readAllIon(text: string, tagged: boolean): unknown[] {
  const reader = ion.makeReader(text);
  const values: unknown[] = [];
  for (let t = reader.next(); t !== null; t = reader.next()) values.push(fromReader(reader, t, tagged));
  return values;
}

/**
 * The one Ion value `text` holds (a line of an Ion file), or `undefined` when it holds none, more
 * than one, or is not Ion.
 */
export function ionValueOf(text: string): unknown {
  try {
    const fast = readIonLine(text);
    if (fast !== UNSUPPORTED) return fast;
    const values = readAllIon(text, false);
    return values.length === 1 ? values[0] : undefined;
  } catch {
    return undefined;
  }
}

/** An Ion file that could not be read: `line` is the line that failed. */
export class IonReadError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * The top-level values of an Ion file written one value per line, in order, read as the chunks
 * arrive (memory stays flat whatever the file's size). Lines in the row writers' subset are read
 * by a fast reader, others by ion-js; a value may not span lines (Kestra's and Saker's writers
 * never do that) unless `acrossLines` is set. A line that is not Ion throws an {@link IonReadError} naming it.
 *
 * With `{ tagged: true }` the values keep what plain data loses: a timestamp is an
 * {@link IonTimestamp}, a decimal an {@link IonDecimal} and an annotated value an {@link IonAnnotated}, for
 * writers of typed formats (Excel dates, CSV and JSON date options) that must tell `2024-01-01` from
 * `"2024-01-01"`; {@link temporalOf} gives a value's Java date-time kind, {@link untag} the plain value.
 */
export async function* readIonLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: ReadIonOptions = {},
): AsyncGenerator<unknown> {
  const tagged = options.tagged === true;
  function* parse(text: string, line: number): Generator<unknown> {
    if (text.trim() === "") return;
    const fast = readIonLine(text, tagged);
    if (fast !== UNSUPPORTED) {
      yield fast;
      return;
    }
    let values: unknown[];
    try {
      values = readAllIon(text, tagged);
    } catch (error) {
      throw new IonReadError(`invalid Ion at line ${line}: ${(error as Error).message}`, line);
    }
    yield* values;
  }
  if (options.acrossLines) {
    const tooLong = (line: number, max: number) =>
      new IonReadError(`invalid Ion: the value starting at line ${line} is longer than ${max} characters`, line);
    for await (const { text, line } of valueLines(textLines(source), tooLong, options.maxValueChars))
      yield* parse(text, line);
    return;
  }
  // one value per line (the files Kestra and Saker write): lines split here, without a generator per line
  const decoder = new TextDecoder("utf-8");
  let rest = "";
  let line = 0;
  for await (const chunk of source) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    const lines = text.split("\n");
    rest = lines.pop()!;
    for (const l of lines) yield* parse(l, ++line);
  }
  rest += decoder.decode();
  if (rest !== "") yield* parse(rest, line + 1);
}
