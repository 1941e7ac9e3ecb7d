/**
 * Parsing dates and times written with a Java `DateTimeFormatter` pattern (`yyyy-MM-dd'T'HH:mm[:ss]`),
 * as Kestra's Avro options take them: the pattern becomes one regular expression, optional sections
 * (`[...]`) included, and a match gives the fields. Times become epoch values with luxon's zones.
 */
import { DateTime } from "luxon";

/** The fields a pattern read; absent ones are undefined. */
export interface DateFields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** The fraction of the second, in nanoseconds. */
  nanos?: number;
  /** Minutes east of UTC, when the text has an offset. */
  offset?: number;
  /** A zone id read by `VV`. */
  zone?: string;
  pm?: boolean;
}

type Field = (fields: DateFields, text: string) => void;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const int = (key: "year" | "month" | "day" | "hour" | "minute" | "second"): Field => {
  return (f, t) => {
    f[key] = Number(t);
  };
};
const offset: Field = (f, t) => {
  if (t === "Z" || t === "z") {
    f.offset = 0;
    return;
  }
  const m = /^([+-])(\d{2}):?(\d{2})?(?::?(\d{2}))?$/.exec(t)!;
  f.offset = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
};
const OFFSET = "(Z|z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?)";

/** The regular expression and field readers of one run of a pattern letter. */
function letter(ch: string, n: number): [string, Field | undefined] | undefined {
  switch (ch) {
    case "y":
    case "u":
      if (n === 2) return ["(\\d{2})", (f, t) => (f.year = 2000 + Number(t))];
      return [n >= 4 ? `(\\d{${n},9})` : "(\\d{1,9})", int("year")];
    case "M":
    case "L":
      if (n >= 3)
        return [
          "([A-Za-z]{3,9})",
          (f, t) => {
            const i = MONTHS.indexOf(t.slice(0, 3).toLowerCase());
            f.month = i < 0 ? NaN : i + 1;
          },
        ];
      return [n === 2 ? "(\\d{2})" : "(\\d{1,2})", int("month")];
    case "d":
      return [n === 2 ? "(\\d{2})" : "(\\d{1,2})", int("day")];
    case "H":
    case "k":
    case "h":
      return [n === 2 ? "(\\d{2})" : "(\\d{1,2})", int("hour")];
    case "m":
      return [n === 2 ? "(\\d{2})" : "(\\d{1,2})", int("minute")];
    case "s":
      return [n === 2 ? "(\\d{2})" : "(\\d{1,2})", int("second")];
    case "S":
      // Lenient on the number of digits: `SSSSSS` reads `.5`, `.123` and `.123456` alike.
      return ["(\\d{1,9})", (f, t) => (f.nanos = Number(t.padEnd(9, "0")))];
    case "a":
      return ["([AaPp][Mm])", (f, t) => (f.pm = t.toLowerCase() === "pm")];
    case "E":
      return ["([A-Za-z]{3,9})", undefined];
    case "X":
    case "x":
    case "Z":
      return [OFFSET, offset];
    case "V":
      return ["([A-Za-z_]+(?:/[A-Za-z_+-]+)*)", (f, t) => (f.zone = t)];
    default:
      return undefined;
  }
}

/** A compiled pattern: `parse` gives the fields of a text that matches it whole, or undefined. */
export interface JavaPattern {
  readonly pattern: string;
  parse(text: string): DateFields | undefined;
}

/** Compiles a Java pattern; throws an Error naming an unsupported letter or an unbalanced `[`. */
export function compileJavaPattern(pattern: string): JavaPattern {
  let source = "";
  const fields: (Field | undefined)[] = [];
  let depth = 0;
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        source += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      const literal = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      source += escape(literal);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (ch === "[") {
      source += "(?:";
      depth++;
      i++;
      continue;
    }
    if (ch === "]") {
      if (depth === 0) throw new Error(`']' without '[' in '${pattern}'`);
      source += ")?";
      depth--;
      i++;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      const token = letter(ch, j - i);
      if (!token) throw new Error(`the pattern letter '${ch}' is not supported ('${pattern}')`);
      source += token[0];
      fields.push(token[1]);
      i = j;
      continue;
    }
    source += escape(ch);
    i++;
  }
  if (depth !== 0) throw new Error(`'[' without ']' in '${pattern}'`);
  const regex = new RegExp(`^${source}$`);
  return {
    pattern,
    parse(text) {
      const m = regex.exec(text.trim());
      if (!m) return undefined;
      const out: DateFields = {};
      for (let g = 0; g < fields.length; g++) {
        const value = m[g + 1];
        if (value !== undefined) fields[g]?.(out, value);
      }
      if (out.pm !== undefined && out.hour !== undefined) out.hour = (out.hour % 12) + (out.pm ? 12 : 0);
      return out;
    },
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](?:(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 date or date-time, as Ion timestamps are written (`2024-01-15`, `2024-01-15T10:20:30.5Z`). */
export function parseIsoDateTime(text: string): DateFields | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const out: DateFields = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] !== undefined) {
    out.hour = Number(m[4]);
    out.minute = Number(m[5]);
    out.second = Number(m[6] ?? 0);
    out.nanos = Number((m[7] ?? "").padEnd(9, "0"));
  }
  if (m[8] !== undefined) offset(out, m[8]);
  return out;
}

const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 time of day (`10:20`, `10:20:30.123`, `10:20:30+02:00`). */
export function parseIsoTime(text: string): DateFields | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  return {
    hour: Number(m[1]),
    minute: Number(m[2]),
    second: Number(m[3] ?? 0),
    nanos: Number((m[4] ?? "").padEnd(9, "0")),
  };
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of the date in `f`; undefined when it has no valid date. */
export function epochDay(f: DateFields): number | undefined {
  if (f.year === undefined || f.month === undefined || f.day === undefined) return undefined;
  const ms = Date.UTC(f.year, f.month - 1, f.day);
  const d = new Date(ms);
  if (Number.isNaN(ms) || d.getUTCMonth() !== f.month - 1 || d.getUTCDate() !== f.day) return undefined;
  return ms / DAY_MS;
}

/** Microseconds since midnight of the time in `f`; undefined when it has no valid time. */
export function microsOfDay(f: DateFields): number | undefined {
  if (f.hour === undefined) return undefined;
  const h = f.hour;
  const m = f.minute ?? 0;
  const s = f.second ?? 0;
  if (h > 23 || m > 59 || s > 59) return undefined;
  return ((h * 60 + m) * 60 + s) * 1_000_000 + Math.floor((f.nanos ?? 0) / 1000);
}

/**
 * Microseconds since the epoch of the date-time in `f`. A text without offset or zone is read
 * in `zone` (an IANA id, `UTC` or an offset); `local: true` gives the wall time itself (as UTC).
 */
export function epochMicros(f: DateFields, zone: string, local = false): number | undefined {
  const day = epochDay(f);
  if (day === undefined) return undefined;
  const time = f.hour === undefined ? 0 : microsOfDay(f);
  if (time === undefined) return undefined;
  const wall = day * DAY_MS * 1000 + time;
  const hasZone = f.offset !== undefined || f.zone !== undefined;
  if (local && !hasZone) return wall;
  const instant = f.offset !== undefined ? wall - f.offset * 60_000_000 : zoned(wall, f.zone ?? zone);
  if (!local) return instant;
  // A local date-time from text with an offset: the wall time that instant is in `zone`.
  const ms = Math.floor(instant / 1000);
  return instant + DateTime.fromMillis(ms, { zone }).offset * 60_000_000;
}

/** The instant whose wall time in `zone` is `wall` (microseconds, as if UTC). */
function zoned(wall: number, zone: string): number {
  if (zone === "UTC") return wall;
  const ms = Math.floor(wall / 1000);
  const d = DateTime.fromMillis(ms, { zone: "UTC" }).setZone(zone, { keepLocalTime: true });
  if (!d.isValid) throw new Error(`unknown time zone '${zone}'`);
  return (d.toMillis() - ms) * 1000 + wall;
}

/** A zone luxon knows, from a Java zone id (`Europe/Paris`, `UTC`, `Z`, `+02:00`); undefined if unknown. */
export function luxonZone(id: string): string | undefined {
  const text = id.trim();
  if (text === "Z" || text === "UTC" || text === "GMT") return "UTC";
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  const zone = m ? `UTC${m[1]}${Number(m[2])}${m[3] ? `:${m[3]}` : ""}` : text;
  return DateTime.fromMillis(0, { zone }).isValid ? zone : undefined;
}
