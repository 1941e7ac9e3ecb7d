/** DuckDB values (from @duckdb/node-api's value classes) converted to cells. */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBUnionValue,
  type DuckDBValue,
} from "@duckdb/node-api";
import { dateCell, localDateTimeText, zonedText } from "../core/temporal.ts";
import { SqlDecimal, SqlFloat, SqlTemporal, integerCell, type Cell } from "../core/values.ts";

function zoned(value: DuckDBTimestampTZValue, zone: string): Cell {
  if (!value.isFinite) return value.toString();
  const micros = value.micros;
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = (((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).toString().padStart(6, "0");
  return new SqlTemporal("ZonedDateTime", zonedText(Number(seconds) * 1000, fraction, zone), zone);
}

/** A DuckDB value as a cell; `zone` shows TIMESTAMP WITH TIME ZONE values. */
function duckCell(value: DuckDBValue, zone: string): Cell {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : new SqlFloat(value);
  if (typeof value === "bigint") return integerCell(value);
  if (value instanceof DuckDBDecimalValue) return new SqlDecimal(value.toString());
  if (value instanceof DuckDBDateValue) return dateCell(value.toString());
  if (value instanceof DuckDBTimestampTZValue) return zoned(value, zone);
  if (
    value instanceof DuckDBTimestampValue ||
    value instanceof DuckDBTimestampSecondsValue ||
    value instanceof DuckDBTimestampMillisecondsValue ||
    value instanceof DuckDBTimestampNanosecondsValue
  ) {
    const text = value.toString();
    return /^\d{4}-/.test(text) ? new SqlTemporal("LocalDateTime", localDateTimeText(text)) : text;
  }
  if (value instanceof DuckDBTimeValue) return new SqlTemporal("LocalTime", localDateTimeText(value.toString()));
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue)
    return value.items.map((v) => duckCell(v, zone));
  if (value instanceof DuckDBStructValue) {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(value.entries)) out[k] = duckCell(v, zone);
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    const out: Record<string, Cell> = {};
    for (const { key, value: v } of value.entries) out[String(key)] = duckCell(v, zone);
    return out;
  }
  if (value instanceof DuckDBUnionValue) return duckCell(value.value, zone);
  return String(value);
}

/** The converter of a top-level column, chosen once from its type: FLOAT and DOUBLE columns stay floats even for whole values. */
export function duckColumnConverter(typeId: DuckDBTypeId, zone: string): (value: DuckDBValue) => Cell {
  if (typeId === DuckDBTypeId.FLOAT || typeId === DuckDBTypeId.DOUBLE)
    return (value) => (typeof value === "number" ? new SqlFloat(value) : duckCell(value, zone));
  return (value) => duckCell(value, zone);
}
