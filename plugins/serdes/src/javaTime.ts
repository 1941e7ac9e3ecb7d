/**
 * Java `DateTimeFormatter` patterns and time zones, as Kestra's serdes tasks take them: one
 * compiled pattern formats a value (IonToCsv's and IonToJson's date options) and parses text
 * (IonToAvro's and IonToParquet's `dateFormat`, `timeFormat`, `datetimeFormat`).
 *
 * The pattern language is the common part of Java's: `y`/`u` year, `M`/`L` month (`MMM` `Jan`,
 * `MMMM` `January`), `d` day, `E` day of week, `H`/`k` hour, `h`/`K` hour of am-pm, `a` AM/PM,
 * `m` minute, `s` second, `S…` fraction, `n` nano of second, `X`/`x`/`Z`/`O` offset, `VV`/`z`
 * zone id, `'quoted'` literals, `''` a quote, and `[optional]` sections, printed only when the
 * value has every field they use. An unknown letter is an error naming the property. Time zones
 * come from `Intl` (fixed offsets read directly).
 *
 * @module
 */
import { NonRetryableError } from "@saker/sdk";
import { userRegex } from "@saker/sdk/regex";

type Token = { t: "lit"; text: string } | { t: "field"; letter: string; count: number } | { t: "opt"; tokens: Token[] };

/** The fields of one value; absent ones are not printable. */
export interface Fields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  nano?: number;
  /** Offset from UTC in seconds. */
  offset?: number;
  zone?: string;
}

const SUPPORTED = new Set("yuMLdEHkhKamsSnXxZOVz".split(""));
/** Month names, January first (Java's English text). */
export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
/** Day names, Sunday first (as `Date.getUTCDay` counts). */
export const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

class Missing extends Error {
  constructor(readonly field: string) {
    super(field);
  }
}

function parse(pattern: string, property: string): Token[] {
  const bad = (why: string) => new NonRetryableError(`${property}: '${pattern}' is not a date-time pattern: ${why}`);
  const stack: Token[][] = [[]];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        top.push({ t: "lit", text: "'" });
        i += 2;
        continue;
      }
      let text = "";
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw bad("a quote is not closed");
        if (pattern[j] === "'") {
          if (pattern[j + 1] !== "'") break;
          text += "'";
          j += 2;
        } else text += pattern[j++];
      }
      top.push({ t: "lit", text });
      i = j + 1;
    } else if (c === "[") {
      const section: Token[] = [];
      top.push({ t: "opt", tokens: section });
      stack.push(section);
      i++;
    } else if (c === "]") {
      if (stack.length === 1) throw bad("']' closes no optional section");
      stack.pop();
      i++;
    } else if (/[A-Za-z]/.test(c)) {
      if (!SUPPORTED.has(c)) throw bad(`unknown pattern letter '${c}'`);
      let count = 1;
      while (pattern[i + count] === c) count++;
      if (c === "V" && count !== 2) throw bad("the zone id is 'VV'");
      if (c === "O" && count !== 1 && count !== 4) throw bad("the localized offset is 'O' or 'OOOO'");
      if ("XxZ".includes(c) && count > 5) throw bad(`too many '${c}'`);
      top.push({ t: "field", letter: c, count });
      i += count;
    } else if (c === "{" || c === "}" || c === "#") {
      throw bad(`'${c}' is reserved`);
    } else {
      top.push({ t: "lit", text: c });
      i++;
    }
  }
  if (stack.length > 1) throw bad("an optional section '[' is not closed");
  return stack[0]!;
}

export const pad = (n: number, width: number) => {
  const text = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${text}` : text;
};

function need<K extends keyof Fields>(f: Fields, key: K, what: string): NonNullable<Fields[K]> {
  const v = f[key];
  if (v === undefined) throw new Missing(what);
  return v as NonNullable<Fields[K]>;
}

export function offsetText(seconds: number, withColon: boolean, minutesOptional: boolean, zeroAsZ: boolean): string {
  if (seconds === 0 && zeroAsZ) return "Z";
  const sign = seconds < 0 ? "-" : "+";
  const abs = Math.abs(seconds);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = Math.floor((abs % 3600) / 60);
  if (minutesOptional && m === 0) return `${sign}${h}`;
  return `${sign}${h}${withColon ? ":" : ""}${pad(m, 2)}`;
}

function field(f: Fields, letter: string, count: number): string {
  switch (letter) {
    case "y":
    case "u": {
      const y = need(f, "year", "year");
      return count === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, count);
    }
    case "M":
    case "L": {
      const m = need(f, "month", "month");
      if (count >= 5) return MONTHS[m - 1]!.slice(0, 1);
      if (count === 4) return MONTHS[m - 1]!;
      if (count === 3) return MONTHS[m - 1]!.slice(0, 3);
      return pad(m, count);
    }
    case "d":
      return pad(need(f, "day", "day"), count);
    case "E": {
      const day = new Date(Date.UTC(need(f, "year", "date"), need(f, "month", "date") - 1, need(f, "day", "date")));
      const name = DAYS[day.getUTCDay()]!;
      return count === 4 ? name : count >= 5 ? name.slice(0, 1) : name.slice(0, 3);
    }
    case "H":
      return pad(need(f, "hour", "hour"), count);
    case "k":
      return pad(need(f, "hour", "hour") || 24, count);
    case "h":
      return pad(((need(f, "hour", "hour") + 11) % 12) + 1, count);
    case "K":
      return pad(need(f, "hour", "hour") % 12, count);
    case "a":
      return need(f, "hour", "hour") < 12 ? "AM" : "PM";
    case "m":
      return pad(need(f, "minute", "minute"), count);
    case "s":
      return pad(need(f, "second", "second"), count);
    case "S":
      return pad(need(f, "nano", "fraction of second"), 9)
        .slice(0, Math.min(count, 9))
        .padEnd(count, "0");
    case "n":
      return pad(need(f, "nano", "nano of second"), count);
    case "O": {
      const o = need(f, "offset", "offset");
      if (o === 0) return "GMT";
      if (count === 4) return `GMT${offsetText(o, true, false, false)}`;
      const abs = Math.abs(o);
      const m = Math.floor((abs % 3600) / 60);
      return `GMT${o < 0 ? "-" : "+"}${Math.floor(abs / 3600)}${m ? `:${pad(m, 2)}` : ""}`;
    }
    case "X":
    case "x": {
      const o = need(f, "offset", "offset");
      const z = letter === "X";
      if (count === 1) return offsetText(o, false, true, z);
      return offsetText(o, count === 3 || count === 5, false, z);
    }
    case "Z": {
      const o = need(f, "offset", "offset");
      if (count === 4) return o === 0 ? "GMT" : `GMT${offsetText(o, true, false, false)}`;
      return count === 5 ? offsetText(o, true, false, true) : offsetText(o, false, false, false);
    }
    case "V":
    case "z":
      return (
        f.zone ?? (f.offset !== undefined ? offsetText(f.offset, true, false, true) : need(f, "zone", "time zone"))
      );
    default:
      throw new Missing(`pattern letter ${letter}`);
  }
}

function print(tokens: Token[], f: Fields): string {
  let out = "";
  for (const token of tokens) {
    if (token.t === "lit") out += token.text;
    else if (token.t === "field") out += field(f, token.letter, token.count);
    else {
      try {
        out += print(token.tokens, f);
      } catch (error) {
        if (!(error instanceof Missing)) throw error;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing: the same tokens become one regular expression, optional sections included.

/** The fields a pattern read from a text; `pm` is set by `a`, and already applied to `hour`. */
export type ParsedFields = Fields & { pm?: boolean };

type Reader = (f: ParsedFields, text: string) => void;

const MONTH_PREFIXES = MONTHS.map((m) => m.slice(0, 3).toLowerCase());
const OFFSET = "(Z|z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?)";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
const digits = (count: number) => (count === 2 ? "(\\d{2})" : "(\\d{1,2})");
const int =
  (key: "year" | "month" | "day" | "hour" | "minute" | "second" | "nano"): Reader =>
  (f, t) => {
    f[key] = Number(t);
  };
const readOffset: Reader = (f, t) => {
  f.offset = offsetSeconds(t);
};

/** The regular expression of one run of a letter, and how its group is read. */
function matcher(letter: string, count: number): [string, Reader | undefined] {
  switch (letter) {
    case "y":
    case "u":
      if (count === 2) return ["(\\d{2})", (f, t) => (f.year = 2000 + Number(t))];
      return [count >= 4 ? `([+-]?\\d{${count},9})` : "([+-]?\\d{1,9})", int("year")];
    case "M":
    case "L":
      if (count >= 3)
        return [
          "([A-Za-z]{3,9})",
          (f, t) => {
            const i = MONTH_PREFIXES.indexOf(t.slice(0, 3).toLowerCase());
            f.month = i < 0 ? NaN : i + 1;
          },
        ];
      return [digits(count), int("month")];
    case "d":
      return [digits(count), int("day")];
    case "H":
    case "h":
    case "K":
      return [digits(count), int("hour")];
    case "k":
      return [digits(count), (f, t) => (f.hour = Number(t) % 24)];
    case "m":
      return [digits(count), int("minute")];
    case "s":
      return [digits(count), int("second")];
    case "S":
      // Lenient on the number of digits: `SSSSSS` reads `.5`, `.123` and `.123456` alike.
      return ["(\\d{1,9})", (f, t) => (f.nano = Number(t.padEnd(9, "0")))];
    case "n":
      return ["(\\d{1,9})", int("nano")];
    case "a":
      return ["([AaPp][Mm])", (f, t) => (f.pm = t.toLowerCase() === "pm")];
    case "E":
      return ["([A-Za-z]+)", undefined];
    case "O":
      return [
        "GMT([+-]\\d{1,2}(?::\\d{2})?)?",
        (f, t) => (f.offset = offsetSeconds(/^[+-]\d$/.test(t) ? `${t[0]}0${t[1]}` : t)),
      ];
    case "V":
    case "z":
      return ["([A-Za-z][A-Za-z0-9_+/-]*)", (f, t) => (f.zone = t)];
    default: // X x Z
      return [OFFSET, readOffset];
  }
}

function regexOf(tokens: Token[], readers: (Reader | undefined)[]): string {
  let source = "";
  for (const token of tokens) {
    if (token.t === "lit") source += escape(token.text);
    else if (token.t === "opt") source += `(?:${regexOf(token.tokens, readers)})?`;
    else {
      const [regex, reader] = matcher(token.letter, token.count);
      source += regex;
      readers.push(reader);
    }
  }
  return source;
}

/** A compiled Java `DateTimeFormatter` pattern. */
export interface JavaPattern {
  readonly pattern: string;
  /** The text of `fields`; fails naming the property when a field the pattern needs outside `[ ]` is missing from `value` (its text). */
  format(fields: Fields, value: string): string;
  /** The fields of a text the pattern matches whole (spaces around ignored), or undefined. */
  parse(text: string): ParsedFields | undefined;
}

/** Compiles a Java `DateTimeFormatter` pattern once; a bad one fails naming `property`. */
export function compilePattern(pattern: string, property: string): JavaPattern {
  const tokens = parse(pattern, property);
  // RE2 (linear time): adjacent runs such as `nSnSnSnS` are digit groups one after the other, which
  // a backtracking engine would try every way of splitting against a long run of digits
  let regex: ReturnType<typeof userRegex> | undefined;
  const readers: (Reader | undefined)[] = [];
  return {
    pattern,
    format(fields, value) {
      try {
        return print(tokens, fields);
      } catch (error) {
        if (error instanceof Missing)
          throw new NonRetryableError(`${property}: '${pattern}' needs the ${error.field}, which '${value}' has not`);
        throw error;
      }
    },
    parse(text) {
      regex ??= userRegex(regexOf(tokens, readers));
      const m = regex.matcher(text.trim());
      if (!m.matches()) return undefined;
      const out: ParsedFields = {};
      for (let g = 0; g < readers.length; g++) {
        const value = m.group(g + 1);
        if (value !== null) readers[g]?.(out, value);
      }
      if (out.pm !== undefined && out.hour !== undefined) out.hour = (out.hour % 12) + (out.pm ? 12 : 0);
      return out;
    },
  };
}

/** A time zone: a fixed offset (`Z`, `UTC`, `+02:00`, `UTC+2`) or an IANA id (`Europe/Paris`) read through Intl. */
export interface TimeZone {
  readonly id: string;
  /** Offset from UTC, in seconds, at `epochMs`. */
  offsetAt(epochMs: number): number;
}

const FIXED = /^(?:Z|UTC|GMT|UT)$|^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** The system's time zone, Kestra's default `timeZoneId`. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Reads `id`; an unknown zone fails naming `property`. */
export function timeZone(id: string, property = "timeZoneId"): TimeZone {
  const fixed = FIXED.exec(id.trim());
  if (fixed) {
    const seconds = fixed[1] ? (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60) : 0;
    return { id, offsetAt: () => seconds };
  }
  const known = ZONES.get(id);
  if (known) return known;
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat("en-US", { timeZone: id, timeZoneName: "longOffset" });
  } catch {
    throw new NonRetryableError(
      `${property}: unknown time zone '${id}' (use an IANA id such as Europe/Paris, or an offset such as +02:00)`,
    );
  }
  const zone: TimeZone = {
    id,
    offsetAt(epochMs) {
      const name = dtf.formatToParts(new Date(epochMs)).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
      const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
      return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
    },
  };
  if (ZONES.size < 1000) ZONES.set(id, zone);
  return zone;
}

/** IANA zones already read (an Intl formatter each), by id. */
const ZONES = new Map<string, TimeZone>();

export const DATE_TIME =
  /^([+-]?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/;
export const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Seconds east of UTC of an offset's text (`Z`, `+02`, `-05:30`, `+0530`, `+05:30:15`). */
export function offsetSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === "Z" || text === "z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?(?::?(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
}

export const nanoOf = (fraction: string | undefined) => Number((fraction ?? "").padEnd(9, "0"));

/** The fields of an instant shown at `offset` seconds from UTC. */
export function atOffset(epochMs: number, nano: number, offset: number, zone?: string): Fields {
  const d = new Date(epochMs + offset * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nano,
    offset,
    ...(zone ? { zone } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// From parsed fields to exact values: epoch days, microseconds of the day, epoch microseconds.

const ISO =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:T?$|[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$)/;
const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An ISO 8601 date or date-time as Ion writes timestamps (`2024-01-15`, `2024-01-15T10:20:30.5Z`);
 * Ion's `-00:00` is no offset (a local time). A zone may follow in brackets, as Java writes a
 * ZonedDateTime (`2024-01-15T10:20:30+01:00[Europe/Paris]`): the offset, when there is one, wins.
 */
export function parseIsoDateTime(text: string): ParsedFields | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const f: ParsedFields = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] !== undefined) {
    f.hour = Number(m[4]);
    f.minute = Number(m[5]);
    f.second = Number(m[6] ?? 0);
    f.nano = nanoOf(m[7]);
    if (m[8] !== undefined && m[8] !== "-00:00") f.offset = offsetSeconds(m[8]);
    if (m[9] !== undefined) f.zone = m[9];
  }
  return f;
}

/** An ISO 8601 time of day (`10:20`, `10:20:30.123`, `10:20:30+02:00`, the offset ignored). */
export function parseIsoTime(text: string): ParsedFields | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0), nano: nanoOf(m[4]) };
}

/** Days since 1970-01-01 of the date in `f` (proleptic Gregorian, any year); undefined when it has no valid date. */
export function epochDay(f: Fields): number | undefined {
  const { year: y, month: m, day: d } = f;
  if (y === undefined || m === undefined || d === undefined || !(m >= 1 && m <= 12) || d < 1) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, m, 0);
  if (d > date.getUTCDate()) return undefined;
  date.setUTCFullYear(y, m - 1, d);
  return Math.floor(date.getTime() / 86_400_000);
}

/** Microseconds since midnight of the time in `f` (midnight when it has none); undefined when it is no valid time. */
export function microsOfDay(f: Fields): number | undefined {
  const h = f.hour ?? 0;
  const m = f.minute ?? 0;
  const s = f.second ?? 0;
  if (h > 23 || m > 59 || s > 59) return undefined;
  return ((h * 60 + m) * 60 + s) * 1_000_000 + Math.floor((f.nano ?? 0) / 1000);
}

/**
 * The offset (seconds) `zone` has at the wall time `wallMs` (milliseconds, as if UTC), as Java's
 * `ZonedDateTime.of` resolves it: in an overlap the earlier offset, in a gap the offset before it
 * (the time moves forward by the gap).
 */
export function offsetAtWallTime(zone: TimeZone, wallMs: number): number {
  const before = zone.offsetAt(wallMs - 86_400_000);
  const after = zone.offsetAt(wallMs + 86_400_000);
  if (before === after) return before;
  const fits = [before, after].filter((o) => zone.offsetAt(wallMs - o * 1000) === o);
  return fits.length === 0 ? before : Math.max(...fits);
}

/**
 * Microseconds since the epoch of the date-time in `f`. A text without offset or zone is in
 * `zone`; `local: true` gives the wall time itself (as UTC), that of the instant in `zone` when
 * the text has an offset or a zone.
 */
export function epochMicros(f: ParsedFields, zone: TimeZone, local: boolean): bigint | undefined {
  const days = epochDay(f);
  const time = microsOfDay(f);
  if (days === undefined || time === undefined) return undefined;
  const wall = BigInt(days) * 86_400_000_000n + BigInt(time);
  const hasZone = f.offset !== undefined || f.zone !== undefined;
  if (local && !hasZone) return wall;
  const wallMs = Number(wall / 1000n);
  let offset = f.offset;
  if (offset === undefined) {
    let at = zone;
    if (f.zone !== undefined) {
      try {
        at = timeZone(f.zone);
      } catch {
        return undefined; // a zone the text names but Intl does not know: not a date-time
      }
    }
    offset = offsetAtWallTime(at, wallMs);
  }
  const instant = wall - BigInt(offset) * 1_000_000n;
  if (!local) return instant;
  return instant + BigInt(zone.offsetAt(Number(instant / 1000n))) * 1_000_000n;
}

/** Dates, times and date-times read from text with the task's three patterns, ISO 8601 accepted too. */
export class TemporalParser {
  readonly date: JavaPattern;
  readonly time: JavaPattern;
  readonly datetime: JavaPattern;

  constructor(
    patterns: { dateFormat: string; timeFormat: string; datetimeFormat: string },
    readonly zone: TimeZone,
  ) {
    this.date = compilePattern(patterns.dateFormat, "dateFormat");
    this.time = compilePattern(patterns.timeFormat, "timeFormat");
    this.datetime = compilePattern(patterns.datetimeFormat, "datetimeFormat");
  }

  /** Days since 1970-01-01, or undefined when the text is not a date. */
  epochDays(text: string): number | undefined {
    const f = this.date.parse(text) ?? parseIsoDateTime(text);
    return f && epochDay(f);
  }

  /** Microseconds since midnight, or undefined when the text is not a time. */
  timeMicros(text: string): number | undefined {
    const f = this.time.parse(text) ?? parseIsoTime(text) ?? parseIsoDateTime(text);
    return f && f.hour !== undefined ? microsOfDay(f) : undefined;
  }

  /** Microseconds since the epoch (see {@link epochMicros}), or undefined when the text is not a date-time. */
  epochMicros(text: string, local: boolean): bigint | undefined {
    const f = this.datetime.parse(text) ?? parseIsoDateTime(text);
    return f && epochMicros(f, this.zone, local);
  }
}
