/**
 * What IonToAvro and IonToParquet share when they fit Ion rows to an Avro schema: reading the
 * schema's JSON, the text of numbers (`decimalSeparator`), integers and decimals, how a value is
 * shown in a message, and the message of a bad row (`'from': row N, field 'x': …`). The schema
 * types themselves stay format-specific: avsc's for Avro (avroTypes.ts), a tree mapped to
 * Parquet columns for Parquet (parquetSchema.ts).
 */
import { NonRetryableError } from "@saker/sdk";

/** The Avro logical types both tasks know, and the types each may annotate. */
export const LOGICAL_BASES = {
  decimal: ["bytes", "fixed"],
  uuid: ["string"],
  date: ["int"],
  "time-millis": ["int"],
  "time-micros": ["long"],
  "timestamp-millis": ["long"],
  "timestamp-micros": ["long"],
  "local-timestamp-millis": ["long"],
  "local-timestamp-micros": ["long"],
} as const satisfies Record<string, readonly string[]>;

/** Kestra's default `trueValues`, `falseValues` and `nullValues`. */
export const DEFAULT_TRUE_VALUES = ["t", "true", "enabled", "1", "on", "yes"];
export const DEFAULT_FALSE_VALUES = ["f", "false", "disabled", "0", "off", "no", ""];
export const DEFAULT_NULL_VALUES = [
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "1.#IND",
  "1.#QNAN",
  "NA",
  "n/a",
  "nan",
  "null",
];

/** The texts read as null, true and false: `nullValues`, `trueValues`, `falseValues`. */
export interface TextValues {
  /** Whether the text is one of `nullValues`. */
  isNull(text: string): boolean;
  /** true for a text of `trueValues`, false for one of `falseValues` (trueValues first), else undefined. */
  boolean(text: string): boolean | undefined;
  /** What `inferAllFields` makes of any text: null, true or false, tried in that order; else undefined. */
  any(text: string): boolean | null | undefined;
}

/**
 * The three lists as both tasks compare them, ignoring case as Kestra's Avro converter does
 * (its `contains` uses Java's `String.equalsIgnoreCase`; IonToParquet goes through it too).
 */
export function textValues(lists: {
  trueValues: readonly string[];
  falseValues: readonly string[];
  nullValues: readonly string[];
}): TextValues {
  const keys = (values: readonly string[]) => new Set(values.map(caseKey));
  const trues = keys(lists.trueValues);
  const falses = keys(lists.falseValues);
  const nulls = keys(lists.nullValues);
  const booleanOf = (key: string) => (trues.has(key) ? true : falses.has(key) ? false : undefined);
  return {
    isNull: (text) => nulls.has(caseKey(text)),
    boolean: (text) => booleanOf(caseKey(text)),
    any(text) {
      const key = caseKey(text);
      return nulls.has(key) ? null : booleanOf(key);
    },
  };
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * A text's key for comparing texts ignoring case as Java's `String.equalsIgnoreCase` does: letter
 * by letter (code point by code point), two letters being equal when their upper cases are or
 * the lower cases of those, each letter mapped to one letter (Java's simple case mapping). So `ı`
 * and `I`, `ſ` and `s`, `σ` and `ς` are the same letter, and `ß` is not `SS`; JavaScript's
 * `toLowerCase` of a whole text differs on these.
 */
export function caseKey(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let key = "";
  for (const letter of text) {
    let upper = letter.toUpperCase();
    // Several letters (ß → SS, ﬁ → FI) is Unicode's full mapping; Java's simple one keeps the
    // letter, whose lower case then gives the key (ᾈ, ᾀ: both ᾀ).
    if (!oneLetter(upper)) upper = letter;
    const lower = upper.toLowerCase();
    // İ's full lower case is i and a combining dot; its simple one is i.
    key += oneLetter(lower) ? lower : String.fromCodePoint(lower.codePointAt(0)!);
  }
  return key;
}

const oneLetter = (text: string) => text.length === 1 || (text.length === 2 && text.codePointAt(0)! > 0xffff);

/** Kestra's default patterns of dates, times and date-times given as text. */
export const DEFAULT_DATE_FORMAT = "yyyy-MM-dd[XXX]";
export const DEFAULT_TIME_FORMAT = "HH:mm[:ss][.SSSSSS][XXX]";
export const DEFAULT_DATETIME_FORMAT = "yyyy-MM-dd'T'HH:mm[:ss][.SSSSSS][XXX]";

/** The JSON of the `schema` property; not JSON fails naming it. */
export function schemaJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NonRetryableError(`invalid Avro schema in 'schema': not JSON (${(error as Error).message})`);
  }
}

/** An invalid schema, as both tasks report it. */
export function schemaError(message: string): NonRetryableError {
  return new NonRetryableError(`invalid Avro schema in 'schema': ${message}`);
}

/** A value as a message shows it: strings quoted, at most 60 characters. */
export function preview(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "bigint") text = value.toString();
  else if (Buffer.isBuffer(value)) text = `<${value.length} bytes>`;
  else text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The message of a row that does not fit: `'from': row 3, field 'address.zip': …` (no field for the row itself). */
export function rowMessage(from: string, row: number, path: string, message: string): string {
  return `'${from}': row ${row}${path === "" ? "" : `, field '${path}'`}: ${message}`;
}

/** Number text with the task's `decimalSeparator` turned into a point. */
export function withPoint(text: string, separator: string): string {
  return separator === "." ? text : text.replace(separator, ".");
}

const INTEGER = /^\s*[-+]?\d+\s*$/;

/** An integer from a number, a bigint or integer text; undefined otherwise. */
export function integerOf(v: unknown): bigint | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === "bigint") return v;
  if (typeof v === "string" && INTEGER.test(v)) return BigInt(v.trim());
  return undefined;
}

/** A float or double from text as Java's `Double.valueOf` reads it (`1.5`, `-2e3`, `NaN`, `Infinity`, `inf`). */
export function parseFloatText(text: string, separator = "."): number | undefined {
  const t = withPoint(text, separator)
    .trim()
    .replace(/[dDfF]$/, "");
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[-+]?(Infinity|inf)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[-+]?NaN$/i.test(t)) return NaN;
  return undefined;
}

/** A decimal's digits and scale from its text (`-12.30`, `1e3`, Ion's `12d-1`). */
export function parseDecimal(text: string): { unscaled: bigint; scale: number } | undefined {
  const m = /^\s*([-+]?)(\d*)(?:\.(\d*))?(?:[eEdD]([-+]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const frac = m[3] ?? "";
  let unscaled = BigInt(`${m[2]}${frac}` || "0");
  let scale = frac.length - Number(m[4] ?? 0);
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { unscaled: m[1] === "-" ? -unscaled : unscaled, scale };
}

/** `unscaled × 10^-from` with `to` digits after the point, rounded half to even or half up (away from zero). */
export function rescale(unscaled: bigint, from: number, to: number, rounding: "HALF_EVEN" | "HALF_UP"): bigint {
  if (from <= to) return unscaled * 10n ** BigInt(to - from);
  const div = 10n ** BigInt(from - to);
  let q = unscaled / div;
  const r = unscaled % div;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > div || (twice === div && (rounding === "HALF_UP" || q % 2n !== 0n))) q += unscaled < 0n ? -1n : 1n;
  return q;
}
