/**
 * MySQL and MariaDB values (read with dateStrings, bigNumberStrings and jsonStrings, so nothing
 * is lost on the way) converted to cells by column type, as Connector/J hands them to Kestra:
 * TINYINT(1) and BIT(1) are booleans, DATETIME is local, TIMESTAMP an instant shown in
 * `timeZoneId` (the session runs in UTC), binary strings are bytes.
 */
import { dateCell, localDateTimeText, zonedCell } from "../core/temporal.ts";
import { SqlDecimal, SqlFloat, SqlTemporal, integerCell, jsonCell, type Cell } from "../core/values.ts";

export interface MysqlField {
  name: string;
  columnType?: number;
  columnLength?: number;
  characterSet?: number;
}

const T = {
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  NEWDATE: 0x0e,
  BIT: 0x10,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
} as const;
const BINARY_CHARSET = 63;

export type MysqlConverter = (value: unknown) => Cell;

const bytes = (v: unknown): Cell => (Buffer.isBuffer(v) ? v : typeof v === "string" ? v : String(v));

export function mysqlConverter(field: MysqlField, zone: string): MysqlConverter {
  switch (field.columnType) {
    case T.TINY:
      return field.columnLength === 1 ? (v) => Number(v) !== 0 : (v) => Number(v);
    case T.SHORT:
    case T.LONG:
    case T.INT24:
    case T.YEAR:
      return (v) => Number(v);
    case T.LONGLONG:
      return (v) => integerCell(v as string | number | bigint);
    case T.FLOAT:
    case T.DOUBLE:
      return (v) => new SqlFloat(Number(v));
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return (v) => new SqlDecimal(String(v));
    case T.DATE:
    case T.NEWDATE:
      return (v) => dateCell(String(v));
    case T.DATETIME:
      return (v) => new SqlTemporal("LocalDateTime", localDateTimeText(String(v)));
    case T.TIMESTAMP:
      return (v) => zonedCell(String(v), zone);
    case T.TIME:
      return (v) => new SqlTemporal("LocalTime", localDateTimeText(String(v)));
    case T.JSON:
      return (v) => jsonCell(typeof v === "string" ? JSON.parse(v) : v);
    case T.BIT:
      return field.columnLength === 1 ? (v) => (Buffer.isBuffer(v) ? v[0] === 1 : Boolean(v)) : bytes;
    default:
      return field.characterSet === BINARY_CHARSET
        ? bytes
        : (v) => (Buffer.isBuffer(v) ? v.toString("utf8") : typeof v === "object" ? String(v) : (v as Cell));
  }
}
