/**
 * Formatting with Java's DateTimeFormatter patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX`) and
 * Kestra's named formats (iso, iso_sec, sql, iso_date_time, rfc_1123_date_time, styles…).
 */
import { EvalError } from "../errors.ts";
import type { DateValue } from "./dateValue.ts";

export const NAMED_PATTERNS: Record<string, string> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: "yyyy-MM-dd HH:mm:ss.SSSSSS",
  sql_seq: "yyyy-MM-dd HH:mm:ss",
  iso_local_date: "yyyy-MM-dd",
  iso_offset_date: "yyyy-MM-ddXXX",
  iso_date: "yyyy-MM-ddXXX",
  iso_ordinal_date: "yyyy-DDDXXX",
  iso_week_date: "YYYY-'W'ww-eXXX",
};

const pad = (n: number, width: number) =>
  String(Math.abs(n))
    .padStart(width, "0")
    .replace(/^/, n < 0 ? "-" : "");

function offsetText(
  minutes: number,
  pattern: "X" | "XX" | "XXX" | "x" | "xx" | "xxx" | "Z" | "ZZZZZ",
  zeroIsZ: boolean,
): string {
  if (minutes === 0 && zeroIsZ) return "Z";
  const sign = minutes < 0 ? "-" : "+";
  const h = pad(Math.floor(Math.abs(minutes) / 60), 2);
  const m = pad(Math.abs(minutes) % 60, 2);
  if (pattern === "X" || pattern === "x") return m === "00" ? `${sign}${h}` : `${sign}${h}${m}`;
  if (pattern === "XX" || pattern === "xx" || pattern === "Z") return `${sign}${h}${m}`;
  return `${sign}${h}:${m}`;
}

/** ISO local time as DateTimeFormatter.ISO_LOCAL_TIME prints it: seconds always, the fraction only when not zero. */
function isoLocalTime(v: DateValue): string {
  const frac = v.nanos === 0 ? "" : `.${String(v.nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `${pad(v.dt.hour, 2)}:${pad(v.dt.minute, 2)}:${pad(v.dt.second, 2)}${frac}`;
}

function isoOffset(v: DateValue): string {
  return offsetText(v.dt.offset, "XXX", true);
}

function zoneSuffix(v: DateValue): string {
  return v.region ? `[${v.dt.zoneName === "Etc/UTC" ? "UTC" : v.dt.zoneName}]` : "";
}

const NAMED_FUNCTIONS: Record<string, (v: DateValue) => string> = {
  iso_local_time: (v) => isoLocalTime(v),
  iso_time: (v) => isoLocalTime(v) + isoOffset(v),
  iso_offset_time: (v) => isoLocalTime(v) + isoOffset(v),
  iso_local_date_time: (v) => `${v.dt.toFormat("yyyy-MM-dd")}T${isoLocalTime(v)}`,
  iso_offset_date_time: (v) => `${v.dt.toFormat("yyyy-MM-dd")}T${isoLocalTime(v)}${isoOffset(v)}`,
  iso_zoned_date_time: (v) => `${v.dt.toFormat("yyyy-MM-dd")}T${isoLocalTime(v)}${isoOffset(v)}${zoneSuffix(v)}`,
  iso_date_time: (v) => `${v.dt.toFormat("yyyy-MM-dd")}T${isoLocalTime(v)}${isoOffset(v)}${zoneSuffix(v)}`,
  iso_instant: (v) => {
    // DateTimeFormatter.ISO_INSTANT prints the fraction in groups of three digits
    const utc = v.dt.toUTC();
    const frac =
      v.nanos === 0
        ? ""
        : `.${String(v.nanos)
            .padStart(9, "0")
            .replace(/(000)+$/, "")}`;
    return `${utc.toFormat("yyyy-MM-dd")}T${pad(utc.hour, 2)}:${pad(utc.minute, 2)}:${pad(utc.second, 2)}${frac}Z`;
  },
  rfc_1123_date_time: (v) => {
    const dt = v.dt;
    const offset = dt.offset === 0 ? "GMT" : offsetText(dt.offset, "Z", false);
    return `${dt.setLocale("en").toFormat("ccc, d LLL yyyy HH:mm:ss")} ${offset}`;
  },
};

const STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  full: { dateStyle: "full", timeStyle: "full" },
  long: { dateStyle: "long", timeStyle: "long" },
  medium: { dateStyle: "medium", timeStyle: "medium" },
  short: { dateStyle: "short", timeStyle: "short" },
};

function letter(v: DateValue, ch: string, count: number, locale: string): string {
  const dt = v.dt.setLocale(locale);
  switch (ch) {
    case "G":
      return count === 4 ? "Anno Domini" : "AD";
    case "y":
    case "u":
      return count === 2 ? pad(dt.year % 100, 2) : pad(dt.year, count);
    case "Y":
      return count === 2 ? pad(dt.weekYear % 100, 2) : pad(dt.weekYear, count);
    case "M":
    case "L":
      if (count >= 5) return dt.toFormat("LLLL").charAt(0);
      if (count === 4) return dt.toFormat(ch === "M" ? "MMMM" : "LLLL");
      if (count === 3) return dt.toFormat(ch === "M" ? "MMM" : "LLL");
      return pad(dt.month, count);
    case "d":
      return pad(dt.day, count);
    case "D":
      return pad(dt.ordinal, count);
    case "Q":
    case "q":
      return count >= 3 ? `Q${dt.quarter}` : pad(dt.quarter, count);
    case "w":
      return pad(dt.weekNumber, count);
    case "W":
      return String(Math.ceil((dt.day + dt.startOf("month").weekday - 1) / 7));
    case "E":
      return count === 4 ? dt.toFormat("cccc") : count >= 5 ? dt.toFormat("cccc").charAt(0) : dt.toFormat("ccc");
    case "e":
    case "c":
      return count >= 3 ? letter(v, "E", count, locale) : pad(dt.weekday, count);
    case "F":
      return String(Math.ceil(dt.day / 7));
    case "a":
      return dt.hour < 12 ? "AM" : "PM";
    case "h":
      return pad(dt.hour % 12 === 0 ? 12 : dt.hour % 12, count);
    case "K":
      return pad(dt.hour % 12, count);
    case "k":
      return pad(dt.hour === 0 ? 24 : dt.hour, count);
    case "H":
      return pad(dt.hour, count);
    case "m":
      return pad(dt.minute, count);
    case "s":
      return pad(dt.second, count);
    case "S":
      return String(v.nanos).padStart(9, "0").slice(0, count).padEnd(count, "0");
    case "A":
      return pad((dt.hour * 3600 + dt.minute * 60 + dt.second) * 1000 + dt.millisecond, count);
    case "n":
      return pad(v.nanos, count);
    case "N":
      return pad((dt.hour * 3600 + dt.minute * 60 + dt.second) * 1e9 + v.nanos, count);
    case "V":
      return dt.zoneName === "Etc/UTC" ? "UTC" : (dt.zoneName ?? "");
    case "z":
      return count >= 4 ? (dt.offsetNameLong ?? "") : (dt.offsetNameShort ?? "");
    case "O":
      return dt.offset === 0
        ? "GMT"
        : count >= 4
          ? `GMT${offsetText(dt.offset, "XXX", false)}`
          : `GMT${dt.offset < 0 ? "-" : "+"}${Math.floor(Math.abs(dt.offset) / 60)}${Math.abs(dt.offset) % 60 ? `:${pad(Math.abs(dt.offset) % 60, 2)}` : ""}`;
    case "X":
      return offsetText(dt.offset, (count === 1 ? "X" : count === 2 || count === 4 ? "XX" : "XXX") as "X", true);
    case "x":
      return offsetText(dt.offset, (count === 1 ? "x" : count === 2 || count === 4 ? "xx" : "xxx") as "x", false);
    case "Z":
      if (count === 4) return dt.offset === 0 ? "GMT" : `GMT${offsetText(dt.offset, "XXX", false)}`;
      if (count === 5) return offsetText(dt.offset, "XXX", true);
      return offsetText(dt.offset, "Z", false);
    default:
      throw new EvalError(`Unknown pattern letter: ${ch}`);
  }
}

export function formatPattern(v: DateValue, pattern: string, locale = "en"): string {
  let out = "";
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new EvalError(`Pattern ends with an incomplete string literal: ${pattern}`);
      out += pattern.slice(i + 1, end);
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      out += letter(v, ch, j - i, locale);
      i = j;
    } else if (ch === "[" || ch === "]") {
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The format names Kestra's AbstractDate knows, matched exactly: any other text is a pattern. */
const KESTRA_FORMAT_NAMES = new Set([
  "iso",
  "iso_sec",
  "sql",
  "sql_seq",
  "iso_date_time",
  "iso_date",
  "iso_time",
  "iso_local_date",
  "iso_instant",
  "iso_local_date_time",
  "iso_local_time",
  "iso_offset_time",
  "iso_ordinal_date",
  "iso_week_date",
  "iso_zoned_date_time",
  "rfc_1123_date_time",
  "full",
  "long",
  "medium",
  "short",
]);

/** Formats with one of Kestra's named formats (exact, lower case), a style, or a Java pattern. */
export function formatDate(v: DateValue, format: string | undefined, locale = "en"): string {
  const name = format ?? "iso";
  if (!KESTRA_FORMAT_NAMES.has(name)) return formatPattern(v, name, locale);
  const pattern = NAMED_PATTERNS[name];
  if (pattern) return formatPattern(v, pattern, locale);
  const fn = NAMED_FUNCTIONS[name];
  if (fn) return fn(v);
  const style = STYLES[name];
  if (style)
    return new Intl.DateTimeFormat(locale === "en" ? "en-US" : locale, {
      ...style,
      timeZone: v.dt.zoneName ?? "UTC",
    }).format(v.dt.toJSDate());
  return formatPattern(v, format ?? "", locale);
}
