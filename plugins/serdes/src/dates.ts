/**
 * Date-times written into text the way Kestra's serdes writers do: Java `DateTimeFormatter`
 * patterns (`dateFormat`, `timeFormat`, `dateTimeFormat`) and a time zone (`timeZoneId`), applied
 * to the date-time kinds an Ion file carries (see `IonTemporal` in `@saker/sdk/ion`).
 *
 * The pattern language is the common part of Java's: `y`/`u` year, `M`/`L` month (`MMM` `Jan`,
 * `MMMM` `January`), `d` day, `E` day of week, `H` hour, `h` hour of am-pm, `a` AM/PM, `m`
 * minute, `s` second, `S…` fraction, `X`/`x`/`Z` offset, `VV` zone id, `'quoted'` literals, `''`
 * a quote, and `[optional]` sections, printed only when the value has every field they use. An
 * unknown letter is an error naming the property. Time zones come from `Intl`.
 *
 * @module
 */
import { NonRetryableError } from "@saker/sdk";
import type { IonTemporal } from "@saker/sdk/ion";

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

const SUPPORTED = new Set("yuMLdEHhamsSXxZV".split(""));
const MONTHS = [
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
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

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

const pad = (n: number, width: number) => {
  const text = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${text}` : text;
};

function need<K extends keyof Fields>(f: Fields, key: K, what: string): NonNullable<Fields[K]> {
  const v = f[key];
  if (v === undefined) throw new Missing(what);
  return v as NonNullable<Fields[K]>;
}

function offsetText(seconds: number, withColon: boolean, minutesOptional: boolean, zeroAsZ: boolean): string {
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
    case "h":
      return pad(((need(f, "hour", "hour") + 11) % 12) + 1, count);
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

/** A compiled pattern; `format` throws a NonRetryableError naming the property when a value lacks a field it needs. */
export interface DateFormatter {
  readonly pattern: string;
  format(fields: Fields, value: string): string;
}

/** Compiles a Java `DateTimeFormatter` pattern; a bad one fails naming `property`. */
export function compilePattern(pattern: string, property: string): DateFormatter {
  const tokens = parse(pattern, property);
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
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat("en-US", { timeZone: id, timeZoneName: "longOffset" });
  } catch {
    throw new NonRetryableError(
      `${property}: unknown time zone '${id}' (use an IANA id such as Europe/Paris, or an offset such as +02:00)`,
    );
  }
  return {
    id,
    offsetAt(epochMs) {
      const name = dtf.formatToParts(new Date(epochMs)).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
      const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
      return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
    },
  };
}

const DATE_TIME =
  /^([+-]?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function offsetSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === "Z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text)!;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
}

const nanoOf = (fraction: string | undefined) => Number((fraction ?? "").padEnd(9, "0"));

/** The fields of an instant shown at `offset` seconds from UTC. */
function atOffset(epochMs: number, nano: number, offset: number, zone?: string): Fields {
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

/** Writes date-times as Kestra's IonToCsv does, with the task's patterns and zone. */
export class TemporalWriter {
  private readonly date: DateFormatter;
  private readonly time: DateFormatter;
  private readonly dateTime: DateFormatter;
  private readonly zone: TimeZone;

  constructor(options: { dateFormat: string; timeFormat: string; dateTimeFormat: string; timeZoneId: string }) {
    this.date = compilePattern(options.dateFormat, "dateFormat");
    this.time = compilePattern(options.timeFormat, "timeFormat");
    this.dateTime = compilePattern(options.dateTimeFormat, "dateTimeFormat");
    this.zone = timeZone(options.timeZoneId);
  }

  /**
   * LocalDate → `dateFormat`; LocalTime and OffsetTime → `timeFormat`; LocalDateTime and Instant →
   * `dateTimeFormat` at UTC; ZonedDateTime and OffsetDateTime → `dateTimeFormat` in `timeZoneId`.
   * Text that is not a date-time of its kind is written as it is.
   */
  write(value: IonTemporal): string {
    const text = value.text;
    if (value.kind === "LocalTime" || value.kind === "OffsetTime") {
      const m = TIME.exec(text);
      if (!m) return text;
      const offset = value.kind === "OffsetTime" ? offsetSeconds(m[5]) : undefined;
      return this.time.format(
        {
          hour: Number(m[1]),
          minute: Number(m[2]),
          second: Number(m[3] ?? 0),
          nano: nanoOf(m[4]),
          ...(offset !== undefined ? { offset } : {}),
        },
        text,
      );
    }
    const m = DATE_TIME.exec(text);
    if (!m) return text;
    const [, y, mo, d, h, mi, s, fraction, off] = m;
    const date = { year: Number(y), month: Number(mo), day: Number(d) };
    if (value.kind === "LocalDate" || h === undefined) return this.date.format(date, text);
    const local = { ...date, hour: Number(h), minute: Number(mi), second: Number(s ?? 0), nano: nanoOf(fraction) };
    if (value.kind === "LocalDateTime") return this.dateTime.format(local, text);
    const offset = offsetSeconds(off) ?? 0;
    const epochMs =
      Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - offset * 1000;
    if (value.kind === "Instant") return this.dateTime.format(atOffset(epochMs, local.nano, 0), text);
    return this.dateTime.format(atOffset(epochMs, local.nano, this.zone.offsetAt(epochMs), this.zone.id), text);
  }

  /** A ZonedDateTime or OffsetDateTime in `timeZoneId`, as JSON writes it (`2024-01-01T10:15:30+01:00`); others as their text. */
  static jsonText(value: IonTemporal, zone: TimeZone): string {
    if (value.kind !== "ZonedDateTime" && value.kind !== "OffsetDateTime") return value.text;
    const m = DATE_TIME.exec(value.text);
    if (!m || m[4] === undefined) return value.text;
    const [, y, mo, d, h, mi, s, fraction, off] = m;
    const epochMs =
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)) -
      (offsetSeconds(off) ?? 0) * 1000;
    const f = atOffset(epochMs, nanoOf(fraction), zone.offsetAt(epochMs));
    const frac = f.nano ? `.${pad(f.nano, 9).replace(/0+$/, "")}` : "";
    return `${pad(f.year!, 4)}-${pad(f.month!, 2)}-${pad(f.day!, 2)}T${pad(f.hour!, 2)}:${pad(f.minute!, 2)}:${pad(f.second!, 2)}${frac}${offsetText(f.offset!, true, false, true)}`;
  }
}
