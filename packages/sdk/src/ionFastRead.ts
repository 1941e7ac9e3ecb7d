/**
 * A fast reader for the Ion lines that row writers produce (structs, lists, strings, ints, floats,
 * decimals, timestamps, booleans, nulls, annotated strings). ion-js parses about 20 µs a row; this
 * takes about 1 µs. Anything outside that subset (blobs, typed nulls, long strings, symbols
 * values, comments…) returns {@link UNSUPPORTED} and the caller parses the line with ion-js,
 * which stays the reference for the format.
 */
export const UNSUPPORTED: unique symbol = Symbol("unsupported Ion");

/** An Ion timestamp, read with `tagged` so that it is not mistaken for a string: its Ion text (`2024-01-01`, `…T10:00:00.000Z`). */
export class IonTimestamp {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

/** An Ion decimal, read with `tagged` so that it is not mistaken for a string: its text (`2.50`, `1.5E+2`). */
export class IonDecimal {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

/** An annotated Ion value (`LocalDateTime::"2024-01-01T10:00"`), read with `tagged`: the first annotation and the value. Serialises as its value. */
export class IonAnnotated {
  constructor(
    readonly annotation: string,
    readonly value: unknown,
  ) {}
  toJSON(): unknown {
    return this.value;
  }
}

/** Java's date-time kinds as Kestra's Ion files carry them (an Ion timestamp with a time is an `Instant`). */
export type TemporalKind =
  "LocalDate" | "LocalTime" | "OffsetTime" | "LocalDateTime" | "ZonedDateTime" | "OffsetDateTime" | "Instant";

const ANNOTATED_KINDS: ReadonlySet<string> = new Set<TemporalKind>([
  "LocalDate",
  "LocalTime",
  "OffsetTime",
  "LocalDateTime",
  "ZonedDateTime",
  "OffsetDateTime",
  "Instant",
]);

/** A date-time with its Java kind and its text, as {@link temporalOf} gives it. Serialises as its text. */
export class IonTemporal {
  constructor(
    readonly kind: TemporalKind,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The Java date-time kind of a value read with `tagged`, or undefined when it is no date-time: a
 * day timestamp is a `LocalDate`, a timestamp with a time an `Instant`, a string annotated
 * `LocalDateTime::`, `LocalTime::`, `OffsetTime::`, `ZonedDateTime::`… that kind.
 */
export function temporalOf(value: unknown): IonTemporal | undefined {
  if (value instanceof IonTimestamp) return new IonTemporal(DAY.test(value.text) ? "LocalDate" : "Instant", value.text);
  if (value instanceof IonAnnotated && typeof value.value === "string" && ANNOTATED_KINDS.has(value.annotation))
    return new IonTemporal(value.annotation as TemporalKind, value.value);
  return undefined;
}

/**
 * The field names of a struct in the order of its Ion text, kept beside an object whose own key
 * order would not be that: JavaScript lists integer-like keys (`2023`) first, whatever the order
 * they were set in. Not enumerable: JSON and spreads do not see it.
 */
export const FIELD_ORDER: unique symbol = Symbol("Ion field order");

/** Whether JavaScript would move `key` before the others (an array index). */
const indexLike = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
};

/**
 * The field order to keep for fields named `names` (in the order they came in; a repeated name
 * once, at its first place), or undefined when JavaScript's own key order is already that order
 * (no integer-like name).
 */
export function fieldOrderFor(names: Iterable<string>): readonly string[] | undefined {
  const order = [...new Set(names)];
  return order.some(indexLike) ? order : undefined;
}

/** `record` with `order` (from {@link fieldOrderFor}) as its field order, when there is one. */
export function withFieldOrder<T extends object>(record: T, order: readonly string[] | undefined): T {
  if (order) Object.defineProperty(record, FIELD_ORDER, { value: order, configurable: true });
  return record;
}

/** `record` with its fields' order kept as `names` gives it ({@link fieldOrderFor}). */
export const keepFieldOrder = <T extends object>(record: T, names: Iterable<string>): T =>
  withFieldOrder(record, fieldOrderFor(names));

/** A struct's field names in the order it was read or built in ({@link FIELD_ORDER}), else its keys. */
export function fieldNamesOf(record: object): readonly string[] {
  const order = (record as { [FIELD_ORDER]?: readonly string[] })[FIELD_ORDER];
  if (!order) return Object.keys(record);
  // a record changed since its order was kept (a key added or deleted): its own keys, all of them
  const keys = Object.keys(record);
  return keys.length === order.length && order.every((key) => Object.hasOwn(record, key)) ? order : keys;
}

/** A value read with `tagged` turned back into what the plain reading gives (timestamps and decimals as text, annotations dropped). */
export function untag(value: unknown): unknown {
  if (value instanceof IonTimestamp || value instanceof IonDecimal) return value.text;
  if (value instanceof IonAnnotated) return untag(value.value);
  if (Array.isArray(value)) return value.map(untag);
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value))
    return withFieldOrder(
      Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untag(v)])),
      (value as { [FIELD_ORDER]?: readonly string[] })[FIELD_ORDER],
    );
  return value;
}

class Unsupported extends Error {}
const fail = (): never => {
  throw new Unsupported();
};

const SYMBOL_START = /[A-Za-z_$]/;
const SYMBOL_CHAR = /[A-Za-z0-9_$]/;
const NUMBER = /^[-+0-9.a-zA-Z:_]+/;

class Reader {
  i = 0;
  constructor(
    readonly s: string,
    readonly tagged: boolean,
  ) {}

  ws(): void {
    while (this.i < this.s.length && (this.s[this.i] === " " || this.s[this.i] === "\t" || this.s[this.i] === "\r"))
      this.i++;
  }

  symbol(): string {
    const s = this.s;
    if (s[this.i] === "'") {
      if (s.startsWith("'''", this.i)) fail();
      const end = s.indexOf("'", this.i + 1);
      if (end < 0) fail();
      const text = s.slice(this.i + 1, end);
      if (text.includes("\\")) fail();
      this.i = end + 1;
      return text;
    }
    if (!SYMBOL_START.test(s[this.i] ?? "")) fail();
    const start = this.i;
    while (this.i < s.length && SYMBOL_CHAR.test(s[this.i]!)) this.i++;
    return s.slice(start, this.i);
  }

  string(): string {
    const s = this.s;
    let j = this.i + 1;
    let escaped = false;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 92) {
        escaped = true;
        j++;
      } else if (c === 34) break;
      else if (c < 32) fail();
    }
    if (j >= s.length) fail();
    const raw = s.slice(this.i, j + 1);
    this.i = j + 1;
    if (!escaped) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return fail();
    }
  }

  value(): unknown {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === "{") {
      if (s[this.i + 1] === "{") fail();
      this.i++;
      const out: Record<string, unknown> = {};
      this.ws();
      if (s[this.i] === "}") {
        this.i++;
        return out;
      }
      // the names in the text's order, once one starts with a digit (JavaScript would reorder it)
      let names: string[] | undefined;
      for (;;) {
        this.ws();
        const key = s[this.i] === '"' ? this.string() : this.symbol();
        this.ws();
        if (s[this.i] !== ":" || s[this.i + 1] === ":") fail();
        this.i++;
        if (names) names.push(key);
        else if (indexLike(key)) names = [...Object.keys(out), key];
        out[key] = this.value();
        this.ws();
        if (s[this.i] === ",") {
          this.i++;
          continue;
        }
        if (s[this.i] === "}") {
          this.i++;
          return names ? keepFieldOrder(out, names) : out;
        }
        fail();
      }
    }
    if (c === "[") {
      this.i++;
      const out: unknown[] = [];
      this.ws();
      if (s[this.i] === "]") {
        this.i++;
        return out;
      }
      for (;;) {
        out.push(this.value());
        this.ws();
        if (s[this.i] === ",") {
          this.i++;
          continue;
        }
        if (s[this.i] === "]") {
          this.i++;
          return out;
        }
        fail();
      }
    }
    if (c === '"') return this.string();
    if (c !== undefined && SYMBOL_START.test(c)) {
      const start = this.i;
      const word = this.symbol();
      if (s[this.i] === ":" && s[this.i + 1] === ":") {
        this.i += 2;
        return this.tagged ? new IonAnnotated(word, this.value()) : this.value(); // an annotation
      }
      if (s[this.i] === ".") fail(); // typed null
      if (word === "null") return null;
      if (word === "true") return true;
      if (word === "false") return false;
      if (word === "nan") return NaN;
      this.i = start;
      return fail(); // a symbol value
    }
    const m = NUMBER.exec(s.slice(this.i, this.i + 64));
    if (!m) return fail();
    const text = m[0];
    this.i += text.length;
    const value = scalar(text);
    if (!this.tagged || typeof value !== "string") return value;
    return TIMESTAMP.test(text) ? new IonTimestamp(value) : new IonDecimal(value);
  }
}

const INT = /^-?(0|[1-9]\d*)$/;
const FLOAT = /^-?\d+(\.\d*)?e[-+]?\d+$/i;
const DECIMAL = /^-?\d+\.\d*$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T(\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:\d{2}))?)?$/;

function scalar(text: string): unknown {
  if (INT.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  if (FLOAT.test(text)) return Number(text);
  if (DECIMAL.test(text)) return text.endsWith(".") ? text.slice(0, -1) : text;
  if (text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (TIMESTAMP.test(text)) return text.endsWith("T") ? text.slice(0, -1) : text;
  return fail();
}

/**
 * The value of one Ion line, or {@link UNSUPPORTED} when the line needs the full parser. With
 * `tagged`, timestamps are {@link IonTimestamp}s, decimals {@link IonDecimal}s and annotated
 * values {@link IonAnnotated}s.
 */
export function readIonLine(line: string, tagged = false): unknown {
  try {
    const reader = new Reader(line, tagged);
    const value = reader.value();
    reader.ws();
    return reader.i === line.length ? value : UNSUPPORTED;
  } catch (error) {
    if (error instanceof Unsupported) return UNSUPPORTED;
    throw error;
  }
}
