/**
 * Dates, times and date-times read from text with a Java `DateTimeFormatter` pattern (Kestra's
 * `dateFormat`, `timeFormat` and `datetimeFormat`), and written back as Ion timestamps.
 * Values are kept exact: epoch days, microseconds of the day, epoch microseconds.
 */

/** The parts a pattern found; those it lacks are undefined. `offset` is in minutes east of UTC. */
interface Parts {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Fraction of a second in nanoseconds. */
  nanos?: number;
  pm?: boolean;
  offset?: number;
  zone?: string;
}

type Field = keyof Parts | "yy" | "monthName" | "ignore";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const OFFSET = "(Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?)";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** A pattern compiled to a regular expression and the meaning of each of its groups. */
export interface TemporalPattern {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly fields: readonly Field[];
}

/** Compiles a Java `DateTimeFormatter` pattern; throws on a letter it does not know. */
export function compilePattern(pattern: string): TemporalPattern {
  const fields: Field[] = [];
  let source = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed quote in pattern '${pattern}'`);
      source += end === i + 1 ? "'" : escape(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (c === "[") {
      source += "(?:";
      i++;
      continue;
    }
    if (c === "]") {
      source += ")?";
      i++;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      source += escape(c);
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    const group = (regex: string, field: Field) => {
      source += `(${regex})`;
      fields.push(field);
    };
    switch (c) {
      case "y":
      case "u":
        if (n === 2) group("\\d{2}", "yy");
        else group("[+-]?\\d{4,9}", "year");
        break;
      case "M":
      case "L":
        if (n >= 3) group("[A-Za-z]{3,9}", "monthName");
        else group(n === 2 ? "\\d{2}" : "\\d{1,2}", "month");
        break;
      case "d":
        group(n === 2 ? "\\d{2}" : "\\d{1,2}", "day");
        break;
      case "H":
      case "k":
        group(n === 2 ? "\\d{2}" : "\\d{1,2}", "hour");
        break;
      case "h":
      case "K":
        group(n === 2 ? "\\d{2}" : "\\d{1,2}", "hour");
        break;
      case "a":
        group("[AaPp][Mm]", "pm");
        break;
      case "m":
        group(n === 2 ? "\\d{2}" : "\\d{1,2}", "minute");
        break;
      case "s":
        group(n === 2 ? "\\d{2}" : "\\d{1,2}", "second");
        break;
      case "S":
      case "n":
        group(`\\d{1,${Math.max(n, 9)}}`, "nanos");
        break;
      case "X":
      case "x":
      case "Z":
      case "O":
        source += OFFSET;
        fields.push("offset");
        break;
      case "V":
      case "z":
        group("[A-Za-z][A-Za-z0-9_+/-]*", "zone");
        break;
      case "E":
        group("[A-Za-z]+", "ignore");
        break;
      default:
        throw new Error(`pattern letter '${c}' is not supported in '${pattern}'`);
    }
  }
  return { pattern, regex: new RegExp(`^${source}$`), fields };
}

function match(p: TemporalPattern, text: string): Parts | undefined {
  const m = p.regex.exec(text.trim());
  if (!m) return undefined;
  const parts: Parts = {};
  p.fields.forEach((field, k) => {
    const v = m[k + 1];
    if (v === undefined) return;
    switch (field) {
      case "yy":
        parts.year = 2000 + Number(v);
        break;
      case "monthName": {
        const index = MONTHS.indexOf(v.slice(0, 3).toLowerCase());
        if (index >= 0) parts.month = index + 1;
        break;
      }
      case "nanos":
        parts.nanos = Number(v.padEnd(9, "0").slice(0, 9));
        break;
      case "pm":
        parts.pm = v.toLowerCase() === "pm";
        break;
      case "offset":
        parts.offset = offsetMinutes(v);
        break;
      case "zone":
        parts.zone = v;
        break;
      case "ignore":
        break;
      default:
        parts[field] = Number(v);
    }
  });
  if (parts.pm !== undefined && parts.hour !== undefined) parts.hour = (parts.hour % 12) + (parts.pm ? 12 : 0);
  return parts;
}

function offsetMinutes(text: string): number {
  if (text === "Z") return 0;
  const digits = text.slice(1).replace(/:/g, "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
  return text[0] === "-" ? -minutes : minutes;
}

/** ISO 8601 as Ion and most tools write it: a date, optionally a time and an offset. */
const ISO =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:T?$|[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$)/;
const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function iso(text: string): Parts | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const parts: Parts = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] !== undefined) {
    parts.hour = Number(m[4]);
    parts.minute = Number(m[5]);
    parts.second = Number(m[6] ?? 0);
    parts.nanos = Number((m[7] ?? "").padEnd(9, "0"));
    // Ion's `-00:00` is an unknown offset: the time is local.
    if (m[8] !== undefined && m[8] !== "-00:00") parts.offset = offsetMinutes(m[8]);
  }
  return parts;
}

function isoTime(text: string): Parts | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  return {
    hour: Number(m[1]),
    minute: Number(m[2]),
    second: Number(m[3] ?? 0),
    nanos: Number((m[4] ?? "").padEnd(9, "0")),
  };
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const last = new Date(0);
  last.setUTCFullYear(y, m, 0);
  return d <= last.getUTCDate();
}

function daysOf(p: Parts): number | undefined {
  if (p.year === undefined || p.month === undefined || p.day === undefined) return undefined;
  if (!validDate(p.year, p.month, p.day)) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  return Math.floor(d.getTime() / 86_400_000);
}

function microsOfDay(p: Parts): number | undefined {
  const h = p.hour ?? 0;
  const m = p.minute ?? 0;
  const s = p.second ?? 0;
  if (h > 23 || m > 59 || s > 59) return undefined;
  return ((h * 60 + m) * 60 + s) * 1_000_000 + Math.floor((p.nanos ?? 0) / 1000);
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError when the zone is unknown. */
export function checkZone(zone: string): void {
  zoneFormat(zone);
}

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneFormats.set(zone, format);
  }
  return format;
}

/** Minutes east of UTC of `zone` at the instant `millis`. */
function zoneOffsetAt(zone: string, millis: number): number {
  if (zone === "UTC" || zone === "Z" || zone === "Etc/UTC" || zone === "GMT") return 0;
  const parts: Record<string, number> = {};
  for (const part of zoneFormat(zone).formatToParts(new Date(millis))) parts[part.type] = Number(part.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((local - Math.floor(millis / 1000) * 1000) / 60_000);
}

/** Parsing of the three kinds of values with the task's patterns, ISO 8601 accepted as a fallback. */
export class TemporalParser {
  private readonly date: TemporalPattern;
  private readonly time: TemporalPattern;
  private readonly datetime: TemporalPattern;

  constructor(
    patterns: { dateFormat: string; timeFormat: string; datetimeFormat: string },
    private readonly zone: string,
  ) {
    this.date = compilePattern(patterns.dateFormat);
    this.time = compilePattern(patterns.timeFormat);
    this.datetime = compilePattern(patterns.datetimeFormat);
  }

  /** Days since 1970-01-01, or undefined when the text is not a date. */
  epochDays(text: string): number | undefined {
    const p = match(this.date, text) ?? iso(text);
    return p && daysOf(p);
  }

  /** Microseconds since midnight, or undefined when the text is not a time. */
  timeMicros(text: string): number | undefined {
    const p = match(this.time, text) ?? isoTime(text) ?? iso(text);
    return p && p.hour !== undefined ? microsOfDay(p) : undefined;
  }

  /**
   * Microseconds since the epoch. A date-time without an offset is in the task's zone, or taken
   * as it reads (`local: true`, for Avro's local timestamps).
   */
  epochMicros(text: string, local: boolean): bigint | undefined {
    const p = match(this.datetime, text) ?? iso(text);
    if (!p) return undefined;
    const days = daysOf(p);
    const time = microsOfDay(p);
    if (days === undefined || time === undefined) return undefined;
    const wall = BigInt(days) * 86_400_000_000n + BigInt(time);
    if (local) return wall;
    let offset = p.offset;
    if (offset === undefined) {
      const zone = p.zone ?? this.zone;
      const wallMillis = Number(wall / 1000n);
      offset = zoneOffsetAt(zone, wallMillis - zoneOffsetAt(zone, wallMillis) * 60_000);
    }
    return wall - BigInt(offset) * 60_000_000n;
  }
}

const pad = (n: number | bigint, width: number) => String(n).padStart(width, "0");

/** Year, month and day of a day count since 1970-01-01 (proleptic Gregorian, any year). */
function civil(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/**
 * `yyyy-MM-dd` of a day count since the epoch (an Ion timestamp of day precision). A year outside
 * 0001–9999, which Ion cannot hold, is written with its sign (`+290000-12-30`): see {@link ionTimestamp}.
 */
export function dateText(days: number): string {
  const [y, m, d] = civil(days);
  const year = y >= 1 && y <= 9999 ? pad(y, 4) : `${y < 0 ? "-" : "+"}${pad(Math.abs(y), 4)}`;
  return `${year}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** The text as an Ion timestamp when its year fits Ion's (0001–9999), else as an Ion string. */
export function ionTimestamp(text: string): string {
  return text[4] === "-" && !text.startsWith("0000") ? text : JSON.stringify(text);
}

/** `HH:mm:ss[.fraction]` of a time of day given in `unitsPerSecond` (1e3, 1e6 or 1e9). */
export function timeText(value: bigint, digits: 3 | 6 | 9): string {
  const perSecond = 10n ** BigInt(digits);
  const seconds = value / perSecond;
  const fraction = value % perSecond;
  const h = seconds / 3600n;
  const m = (seconds / 60n) % 60n;
  const s = seconds % 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, digits)}`;
}

/**
 * The Ion timestamp text of an instant counted in 10^-digits seconds since the epoch: `Z` when
 * the instant is UTC, Ion's unknown offset `-00:00` for a local date-time.
 */
export function timestampText(value: bigint, digits: 3 | 6 | 9, utc: boolean): string {
  const perSecond = 10n ** BigInt(digits);
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const days = Number(seconds / 86_400n) - (seconds % 86_400n < 0n ? 1 : 0);
  const ofDay = Number(seconds - BigInt(days) * 86_400n);
  const h = Math.floor(ofDay / 3600);
  const m = Math.floor(ofDay / 60) % 60;
  const s = ofDay % 60;
  return `${dateText(days)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, digits)}${utc ? "Z" : "-00:00"}`;
}
