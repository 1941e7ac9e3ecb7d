/**
 * Date-times written into text the way Kestra's serdes writers do: the task's Java patterns
 * (`dateFormat`, `timeFormat`, `dateTimeFormat`, see `javaTime.ts`) and time zone (`timeZoneId`),
 * applied to the date-time kinds an Ion file carries (`temporalOf` in `@saker/sdk/ion`).
 *
 * @module
 */
import type { IonTemporal } from "@saker/sdk/ion";
import {
  atOffset,
  compilePattern,
  DATE_TIME,
  nanoOf,
  offsetSeconds,
  offsetText,
  pad,
  TIME,
  timeZone,
  type JavaPattern,
  type TimeZone,
} from "./javaTime.ts";

export { systemTimeZone, timeZone } from "./javaTime.ts";

/** Writes date-times as Kestra's IonToCsv does, with the task's patterns and zone. */
export class TemporalWriter {
  private readonly date: JavaPattern;
  private readonly time: JavaPattern;
  private readonly dateTime: JavaPattern;
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
