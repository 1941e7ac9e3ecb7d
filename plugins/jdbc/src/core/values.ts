/**
 * Cells: what a row holds between the driver and the output. Plain JS values where they say all
 * there is to say, and small wrappers where JS would lose what the database meant (an exact
 * decimal, a double that happens to be whole, a date that is not an instant). Outputs and Ion
 * files are both produced from cells, so FETCH and STORE agree on every value.
 */

/** An exact decimal (SQL NUMERIC/DECIMAL), kept as its text. */
export class SqlDecimal {
  constructor(readonly text: string) {}
}

/** A floating-point value (SQL REAL/DOUBLE), so that `1.0` stays a float in Ion files. */
export class SqlFloat {
  constructor(readonly value: number) {}
}

/** Java's names for the date-time kinds, as Kestra's Ion files annotate them. */
export type TemporalKind = "LocalDate" | "LocalTime" | "OffsetTime" | "LocalDateTime" | "ZonedDateTime";

/**
 * A date, time or timestamp as ISO text: `2024-01-01`, `10:15:30`, `2024-01-01T10:15:30.123`,
 * `2024-01-01T10:15:30+01:00` (ZonedDateTime, with its `zone` id).
 */
export class SqlTemporal {
  constructor(
    readonly kind: TemporalKind,
    readonly text: string,
    readonly zone?: string,
  ) {}
}

export type Cell =
  | null
  | boolean
  | number
  | string
  | bigint
  | Uint8Array
  | SqlDecimal
  | SqlFloat
  | SqlTemporal
  | readonly Cell[]
  | { readonly [key: string]: Cell };

/** One row: column labels to cells, in column order (a repeated label keeps the last value, as Kestra's map does). */
export type Row = Record<string, Cell>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An integer from the database: a number when it fits in a double exactly, else a bigint. */
export function integerCell(value: bigint | number | string): number | bigint {
  if (typeof value === "number") return value;
  const big = typeof value === "bigint" ? value : BigInt(value);
  return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big;
}

/** True when the decimal text survives a round trip through a double (at most 15 significant digits). */
function decimalFitsDouble(text: string): boolean {
  const digits = text.replace(/^[-+]/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return /^[-+]?\d*\.?\d*$/.test(text) && digits.length <= 15;
}

/**
 * The JSON value a cell becomes in task outputs: decimals and 64-bit integers as numbers when that
 * is exact and as strings otherwise, dates as ISO text, bytes as base64.
 */
function outputValue(cell: Cell): unknown {
  if (cell === null || typeof cell !== "object") {
    if (typeof cell === "bigint") return cell.toString();
    if (typeof cell === "number" && !Number.isFinite(cell)) return String(cell);
    return cell;
  }
  if (cell instanceof SqlDecimal) return decimalFitsDouble(cell.text) ? Number(cell.text) : cell.text;
  if (cell instanceof SqlFloat) return Number.isFinite(cell.value) ? cell.value : String(cell.value);
  if (cell instanceof SqlTemporal) return cell.text;
  if (cell instanceof Uint8Array) return Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength).toString("base64");
  if (Array.isArray(cell)) return cell.map(outputValue);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cell)) out[key] = outputValue(value as Cell);
  return out;
}

/** A row as it appears in `row` / `rows` outputs. */
export function outputRow(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) out[key] = outputValue(row[key]!);
  return out;
}

/** Turns parsed JSON (json/jsonb columns) into cells: whole numbers stay ints, others floats. */
export function jsonCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isInteger(value) ? value : new SqlFloat(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(jsonCell);
  if (typeof value === "object") {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonCell(v);
    return out;
  }
  return String(value);
}
