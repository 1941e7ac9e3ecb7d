/**
 * Values read from a Batch file (Ion, read `tagged` so that a decimal, a timestamp or a
 * `LocalDateTime::"…"` keeps its kind) as the drivers bind them. Decimals stay exact text, bytes
 * stay bytes, date-times become the text each database parses, lists and structs JSON text where
 * the database has no better type for them.
 */
import { IonAnnotated, IonDecimal, IonTimestamp, fieldNamesOf, temporalOf, type IonTemporal } from "@saker/sdk/ion";
import { parseOffsetTimestamp, zonedText } from "./temporal.ts";

const OFFSET = /(Z|[-+]\d{2}:?\d{2})$/;

/** `2024-01-31T10:00:00+01:00[Europe/Paris]` → the text and the zone id in brackets (if any). */
function splitZone(text: string): { text: string; zone?: string } {
  const m = /^(.*)\[([^\]]+)\]$/.exec(text);
  return m ? { text: m[1]!, zone: m[2]! } : { text };
}

/**
 * A date-time as PostgreSQL reads it: ISO text as written, the `[zone]` of a ZonedDateTime
 * dropped after its offset (or written as a zone name when there is no offset).
 */
export function pgTemporalText(value: IonTemporal): string {
  if (value.kind !== "ZonedDateTime") return value.text;
  const { text, zone } = splitZone(value.text);
  return zone && !OFFSET.test(text) ? `${text} ${zone}` : text;
}

/**
 * A date-time as MySQL and MariaDB read it in a UTC session: an instant (Instant, OffsetDateTime,
 * ZonedDateTime) as its UTC date-time, local kinds as written (`T` → space), an OffsetTime as its
 * local time (MySQL's TIME has no zone).
 */
export function mysqlTemporalText(value: IonTemporal): string {
  switch (value.kind) {
    case "LocalDate":
    case "LocalTime":
      return value.text;
    case "LocalDateTime":
      return value.text.replace("T", " ");
    case "OffsetTime":
      return value.text.replace(OFFSET, "");
    default: {
      const { text } = splitZone(value.text);
      const parsed = OFFSET.test(text) ? parseOffsetTimestamp(text) : undefined;
      if (!parsed) return text.replace("T", " ");
      return zonedText(parsed.epochMs, parsed.fraction, "UTC").replace("T", " ").replace(/Z$/, "");
    }
  }
}

/** An Ion decimal's text as a JSON number (`12.` → `12`, `.5` → `0.5`, `1d2` → `1e2`). */
function decimalJson(text: string): string {
  const number = text
    .replace(/^\+/, "")
    .replace(/[dD]/, "e")
    .replace(/^(-?)\./, "$10.")
    .replace(/\.(?=$|e)/i, "");
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(number) ? number : JSON.stringify(text);
}

/** A value of the file as JSON text: decimals as numbers, date-times as strings, bytes as base64. */
export function jsonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "bigint":
    case "boolean":
      return String(value);
    default:
  }
  if (value instanceof IonDecimal) return decimalJson(value.text);
  if (value instanceof IonTimestamp) return JSON.stringify(value.text);
  if (value instanceof IonAnnotated) return jsonText(value.value);
  if (value instanceof Uint8Array)
    return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"));
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  const record = value as Record<string, unknown>;
  return `{${fieldNamesOf(record)
    .map((key) => `${JSON.stringify(key)}:${jsonText(record[key])}`)
    .join(",")}}`;
}

/** A scalar as the drivers bind it: date-times through `temporal`, decimals as text; lists and structs are left to the caller (undefined). */
export function scalarValue(
  value: unknown,
  temporal: (value: IonTemporal) => string,
): string | number | bigint | boolean | Buffer | null | undefined {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return value;
    default:
  }
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof IonDecimal) return value.text;
  const date = temporalOf(value);
  if (date) return temporal(date);
  if (value instanceof IonTimestamp) return value.text;
  if (value instanceof IonAnnotated) return scalarValue(value.value, temporal);
  return undefined;
}
