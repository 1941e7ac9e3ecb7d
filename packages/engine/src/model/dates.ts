/**
 * Dates as Kestra reads and writes them. Trigger variables hold ISO-8601 text with an offset
 * (`2024-03-31T02:00:00+02:00`, `Z` for UTC, seconds always written, a fraction only when not
 * zero), which is how Java prints a `ZonedDateTime` through Jackson. Conditions read dates the way
 * `LocalDate.parse`, `ZonedDateTime.parse` and `OffsetTime.parse` do: an offset is required.
 */
import { DateTime, IANAZone } from "luxon";

const ZONED =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)(Z|[+-]\d{2}:\d{2}(?::\d{2})?)(?:\[([^\]]+)\])?$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const OFFSET_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/;

/** A zoned date-time (`2024-01-01T10:00:00+01:00`, optionally `[Europe/Paris]`), or undefined. */
export function parseZonedDateTime(text: string): DateTime | undefined {
  const match = ZONED.exec(text.trim());
  if (!match) return undefined;
  const [, local, offset, zone] = match;
  let date = DateTime.fromISO(`${local!.replace(",", ".")}${offset}`, { setZone: true });
  if (zone !== undefined) {
    if (!IANAZone.isValidZone(zone)) return undefined;
    date = date.setZone(zone);
  }
  return date.isValid ? date : undefined;
}

/** The calendar date of `text`: a plain `2024-01-01`, else the local date of a zoned date-time. */
export function parseLocalDate(text: string): DateTime | undefined {
  const trimmed = text.trim();
  if (LOCAL_DATE.test(trimmed)) {
    const date = DateTime.fromISO(trimmed, { zone: "UTC" });
    return date.isValid ? date : undefined;
  }
  return parseZonedDateTime(trimmed);
}

/** A time with an offset (`08:00:00+02:00`), as milliseconds of the UTC day it stands for (may be < 0 or ≥ 24 h). */
export function parseOffsetTime(text: string): number | undefined {
  const match = OFFSET_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, hh, mm, ss, fraction, offset] = match;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = ss === undefined ? 0 : Number(ss);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const millis = fraction === undefined ? 0 : Number(`0.${fraction}`) * 1000;
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis - offsetMillis(offset!);
}

function offsetMillis(offset: string): number {
  if (offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const [h, m, s] = offset.slice(1).split(":").map(Number);
  return sign * (((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000;
}

/** The time of day of a zoned date-time, comparable with {@link parseOffsetTime}. */
export function offsetTimeOf(date: DateTime): number {
  const local = ((date.hour * 60 + date.minute) * 60 + date.second) * 1000 + date.millisecond;
  return local - date.offset * 60_000;
}

/** Kestra's text for a date in a zone: `2024-03-31T03:00:00+02:00`, `…Z` at offset zero. */
export function formatZoned(date: Date | DateTime, zone?: string): string {
  let value = date instanceof Date ? DateTime.fromJSDate(date) : date;
  if (zone !== undefined) value = value.setZone(zone);
  const fraction = value.millisecond === 0 ? "" : `.${String(value.millisecond).padStart(3, "0").replace(/0+$/, "")}`;
  const offset = value.offset === 0 ? "Z" : value.toFormat("ZZ");
  return `${value.toFormat("yyyy-MM-dd'T'HH:mm:ss")}${fraction}${offset}`;
}

/** Whether `zone` is a time zone id luxon (and the ICU data of Node) knows. */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The zone of this process, Kestra's default when a trigger names none. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}
