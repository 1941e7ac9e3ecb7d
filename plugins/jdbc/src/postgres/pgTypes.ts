/**
 * PostgreSQL values, received as text (every type parser of `pg` is bypassed), converted to cells
 * by column type OID, as Kestra's PostgresCellConverter does: timestamps without a zone stay
 * local, timestamps with one are shown in `timeZoneId`, numerics stay exact, json is parsed.
 */
import { dateCell, localDateTimeText, zonedCell } from "../core/temporal.ts";
import { SqlDecimal, SqlFloat, SqlTemporal, integerCell, jsonCell, type Cell } from "../core/values.ts";
import { parseArrayLiteral, type ArrayText } from "./pgArray.ts";

export type TextConverter = (text: string) => Cell;

const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** Array type OID → element type OID, for the built-in array types. */
const ARRAY_ELEMENTS: Record<number, number> = {
  1000: OID.bool,
  1001: OID.bytea,
  1005: OID.int2,
  1007: OID.int4,
  1016: OID.int8,
  1021: OID.float4,
  1022: OID.float8,
  1231: OID.numeric,
  1182: OID.date,
  1183: OID.time,
  1115: OID.timestamp,
  1185: OID.timestamptz,
  1187: OID.interval,
  1270: OID.timetz,
  2951: OID.uuid,
  199: OID.json,
  3807: OID.jsonb,
  1009: 25,
  1015: 1043,
  1014: 1042,
  1028: OID.oid,
};

/** `+02` / `+05:30` → `+02:00` / `+05:30`. */
function offsetTime(text: string): SqlTemporal {
  const m = /^(.*?)([-+]\d{2})(?::?(\d{2}))?$/.exec(text);
  return m
    ? new SqlTemporal("OffsetTime", `${localDateTimeText(m[1]!)}${m[2]}:${m[3] ?? "00"}`)
    : new SqlTemporal("OffsetTime", text);
}

function float(text: string): SqlFloat {
  return new SqlFloat(text === "Infinity" ? Infinity : text === "-Infinity" ? -Infinity : Number(text));
}

/** The converter of a column of type `oid`, showing zoned timestamps in `zone`. */
export function converterFor(oid: number, zone: string): TextConverter {
  switch (oid) {
    case OID.bool:
      return (t) => t === "t";
    case OID.int2:
    case OID.int4:
    case OID.oid:
      return Number;
    case OID.int8:
      return integerCell;
    case OID.float4:
    case OID.float8:
      return float;
    case OID.numeric:
      return (t) => new SqlDecimal(t);
    case OID.date:
      return dateCell;
    case OID.time:
      return (t) => new SqlTemporal("LocalTime", localDateTimeText(t));
    case OID.timetz:
      return offsetTime;
    case OID.timestamp:
      return (t) => (/^\d/.test(t) ? new SqlTemporal("LocalDateTime", localDateTimeText(t)) : t);
    case OID.timestamptz:
      return (t) => zonedCell(t, zone);
    case OID.json:
    case OID.jsonb:
      return (t) => jsonCell(JSON.parse(t));
    case OID.bytea:
      return (t) => (t.startsWith("\\x") ? Buffer.from(t.slice(2), "hex") : Buffer.from(t, "binary"));
    default: {
      const element = ARRAY_ELEMENTS[oid];
      if (element !== undefined) {
        const convert = converterFor(element, zone);
        const walk = (item: ArrayText): Cell =>
          item === null ? null : Array.isArray(item) ? item.map(walk) : convert(item);
        return (t) => parseArrayLiteral(t).map(walk);
      }
      return (t) => t;
    }
  }
}
