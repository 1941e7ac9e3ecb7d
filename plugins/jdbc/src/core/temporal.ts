/**
 * Instants shown in a time zone (`timeZoneId`, default the worker's), as Kestra's cell converters
 * do with `Timestamp.toInstant().atZone(zoneId)`. Offsets come from `Intl`, which knows the tz
 * database; the fraction of a second is kept to the microsecond the databases send.
 */
import { NonRetryableError } from "@saker/sdk";
import { SqlTemporal, type Cell } from "./values.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The worker's time zone, the default `timeZoneId`. */
function defaultZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      era: "short",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Checks a `timeZoneId` and returns it (or the worker's zone when absent). */
export function checkZone(zone: string | undefined): string {
  if (!zone) return defaultZone();
  try {
    formatterOf(zone);
    return zone;
  } catch {
    throw new NonRetryableError(
      `timeZoneId '${zone}' is not a known time zone (use an IANA id such as 'Europe/Paris' or 'UTC')`,
    );
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** `.123`, `.123456` or nothing: Java's ISO printers use groups of three digits. */
function fractionText(digits: string): string {
  const trimmed = digits.replace(/0+$/, "");
  if (!trimmed) return "";
  return `.${trimmed.padEnd(Math.ceil(trimmed.length / 3) * 3, "0")}`;
}

function offsetText(minutes: number): string {
  if (minutes === 0) return "Z";
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Offsets of a zone by quarter hour of UTC time: tz transitions fall on such boundaries. */
const offsets = new Map<string, Map<number, number>>();
const QUARTER_HOUR = 900_000;

/** The zone's offset from UTC (minutes) at an instant, asking `Intl` once per zone and quarter hour. */
function offsetMinutesAt(zone: string, epochMs: number): number {
  let byQuarter = offsets.get(zone);
  if (!byQuarter || byQuarter.size > 100_000) offsets.set(zone, (byQuarter = new Map()));
  const quarter = Math.floor(epochMs / QUARTER_HOUR);
  let offset = byQuarter.get(quarter);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR;
    const parts: Record<string, string> = {};
    for (const part of formatterOf(zone).formatToParts(new Date(start))) parts[part.type] = part.value;
    const bc = parts.era === "BC" || parts.era === "B";
    const local = new Date(0);
    local.setUTCFullYear(bc ? 1 - Number(parts.year) : Number(parts.year), Number(parts.month) - 1, Number(parts.day));
    local.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second));
    offset = Math.round((local.getTime() - start) / 60_000);
    byQuarter.set(quarter, offset);
  }
  return offset;
}

/**
 * An instant (epoch milliseconds, plus the sub-second digits as text) as ISO local date-time with
 * the zone's offset: `2024-01-01T11:00:00.123456+01:00`. Runs once per zoned cell, so it avoids
 * `Intl` (cached per quarter hour) and builds the text from UTC getters.
 */
export function zonedText(epochMs: number, fraction: string, zone: string): string {
  const seconds = Math.floor(epochMs / 1000) * 1000;
  const offsetMinutes = offsetMinutesAt(zone, seconds);
  const local = new Date(seconds + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  const yearText = year < 0 ? `-${pad(-year, 4)}` : year > 9999 ? `+${year}` : pad(year, 4);
  return `${yearText}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fractionText(fraction)}${offsetText(offsetMinutes)}`;
}

/**
 * Parses `2024-01-01 10:00:00.123456+05:30` (the form PostgreSQL, MySQL and DuckDB print
 * timestamps with a zone in) to epoch milliseconds and the fraction digits. Undefined when the
 * text is something else (`infinity`).
 */
export function parseOffsetTimestamp(text: string): { epochMs: number; fraction: string } | undefined {
  const m =
    /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([-+])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const year = m[13] ? 1 - Number(m[1]) : Number(m[1]);
  const date = new Date(0);
  date.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]));
  const utc = date.getTime();
  const sign = m[9] === "-" ? -1 : 1;
  const offsetSeconds = m[9] ? sign * (Number(m[10]) * 3600 + Number(m[11] ?? 0) * 60 + Number(m[12] ?? 0)) : 0;
  const fraction = m[7] ?? "";
  return { epochMs: utc - offsetSeconds * 1000 + (fraction ? Number(`0.${fraction}`) * 1000 : 0), fraction };
}

/**
 * `2024-01-01 10:00:00.120000` → `2024-01-01T10:00:00.120` (LocalDateTime as Java prints it);
 * works on times as well: `10:15:30.500000` → `10:15:30.500` (LocalTime).
 */
export function localDateTimeText(text: string): string {
  const m = /^(.*?\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)$/.exec(text.trim().replace(" ", "T"));
  if (!m) return text;
  return `${m[1]}${fractionText(m[2] ?? "")}${m[3]}`;
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

/** `2024-01-31` as a LocalDate cell; anything else (`infinity`, a BC date) stays text. */
export function dateCell(text: string): Cell {
  return DATE_TEXT.test(text) ? new SqlTemporal("LocalDate", text) : text;
}

/** A timestamp with an offset (`2024-01-01 10:00:00+05:30`) as a ZonedDateTime cell shown in `zone`; other text (`infinity`) stays as is. */
export function zonedCell(text: string, zone: string): Cell {
  const parsed = parseOffsetTimestamp(text);
  return parsed ? new SqlTemporal("ZonedDateTime", zonedText(parsed.epochMs, parsed.fraction, zone), zone) : text;
}
