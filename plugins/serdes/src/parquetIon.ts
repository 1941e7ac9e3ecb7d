/**
 * Parquet values to Ion text, column by column from the file's schema: decimals stay exact Ion
 * decimals, dates and timestamps become Ion timestamps, binary becomes blobs. hyparquet is asked
 * for the raw stored values of the logical types (see {@link rawMetadata}) so nothing goes
 * through a float or a millisecond Date on the way.
 */
import type { FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from "hyparquet";
import { ionFieldName, ionFloat, ionString, toIon } from "@saker/sdk/ion";
import { dateText, ionTimestamp, timestampText, timeText } from "./temporal.ts";
import { holdsListRows, LIST_ROWS_FIELD } from "./listRows.ts";

type Emit = (value: unknown) => string;

const RAW_CONVERTED = new Set([
  "DECIMAL",
  "DATE",
  "TIME_MILLIS",
  "TIME_MICROS",
  "TIMESTAMP_MILLIS",
  "TIMESTAMP_MICROS",
]);
const RAW_LOGICAL = new Set(["DECIMAL", "DATE", "TIME", "TIMESTAMP"]);
const decoder = new TextDecoder();

const keepsRaw = (e: SchemaElement) =>
  (e.converted_type !== undefined && RAW_CONVERTED.has(e.converted_type)) ||
  (e.logical_type !== undefined && RAW_LOGICAL.has(e.logical_type.type));

/** The metadata with the logical types this module converts itself taken off, for hyparquet to read. */
export function rawMetadata(metadata: FileMetaData): FileMetaData {
  return {
    ...metadata,
    schema: metadata.schema.map((e) =>
      keepsRaw(e) ? { ...e, converted_type: undefined, logical_type: undefined } : e,
    ),
  };
}

/** Parsers for what hyparquet still converts: legacy INT96 timestamps and JSON, both kept exact. */
export const rawParsers: Partial<ParquetParsers> = {
  timestampFromNanoseconds: (nanos: bigint) => timestampText(nanos, 9, true),
  jsonFromBytes: (bytes: Uint8Array) => (bytes ? decoder.decode(bytes) : bytes),
};

/** Ion text of one row (a struct of the top-level columns) from hyparquet's object row. */
export function rowEmitter(root: SchemaTree): (row: Record<string, unknown>) => string {
  // Rows that were lists (see listRows.ts) are lists again, as Kestra's reader gives them back.
  // Kestra reads a column as an Avro array (not a union with null) when it is a required list or
  // a repeated field.
  const shape = root.children.map((c) => ({
    name: c.element.name,
    array:
      c.element.repetition_type === "REPEATED" ||
      (c.element.repetition_type === "REQUIRED" &&
        (c.element.logical_type?.type === "LIST" || c.element.converted_type === "LIST")),
  }));
  if (holdsListRows(root.element.name, shape)) {
    const emit = emitterOf(root.children[0]!);
    return (row) => emit(row[LIST_ROWS_FIELD]);
  }
  const fields = root.children.map((c) => [c.element.name, `${ionFieldName(c.element.name)}:`, emitterOf(c)] as const);
  return (row) => {
    let text = "{";
    for (let i = 0; i < fields.length; i++) {
      const [name, label, emit] = fields[i]!;
      text += `${i === 0 ? "" : ","}${label}${emit(row[name])}`;
    }
    return `${text}}`;
  };
}

function emitterOf(node: SchemaTree): Emit {
  const base = node.children.length > 0 ? groupEmitter(node) : leafEmitter(node.element);
  return node.element.repetition_type === "REPEATED" ? listOf(base) : base;
}

const listOf =
  (item: Emit): Emit =>
  (v) =>
    v == null ? "null" : Array.isArray(v) ? `[${v.map(item).join(",")}]` : toIon(v);

function groupEmitter(node: SchemaTree): Emit {
  const e = node.element;
  const kind = e.logical_type?.type ?? e.converted_type;
  if ((kind === "LIST" || e.converted_type === "LIST") && node.children.length === 1) {
    const repeated = node.children[0]!;
    // Three levels (`list`/`element`), or the legacy two: the repeated field is the element.
    const legacy =
      repeated.children.length !== 1 || repeated.element.name === "array" || repeated.element.name.endsWith("_tuple");
    return listOf(
      legacy
        ? repeated.children.length > 0
          ? groupEmitter(repeated)
          : leafEmitter(repeated.element)
        : emitterOf(repeated.children[0]!),
    );
  }
  if ((kind === "MAP" || e.converted_type === "MAP_KEY_VALUE") && node.children.length === 1) {
    const kv = node.children[0]!;
    const value = kv.children[1] ? emitterOf(kv.children[1]) : () => "null";
    return (v) => {
      if (v == null) return "null";
      if (typeof v !== "object" || Array.isArray(v)) return toIon(v);
      let text = "{";
      let first = true;
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        text += `${first ? "" : ","}${ionFieldName(k)}:${value(item)}`;
        first = false;
      }
      return `${text}}`;
    };
  }
  const children = node.children.map(
    (c) => [c.element.name, `${ionFieldName(c.element.name)}:`, emitterOf(c)] as const,
  );
  return (v) => {
    if (v == null) return "null";
    if (typeof v !== "object" || Array.isArray(v)) return toIon(v);
    const o = v as Record<string, unknown>;
    let text = "{";
    for (let i = 0; i < children.length; i++) {
      const [name, label, emit] = children[i]!;
      text += `${i === 0 ? "" : ","}${label}${emit(o[name])}`;
    }
    return `${text}}`;
  };
}

/** The signed integer of big-endian two's complement bytes. */
function bigIntOfBytes(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0]! & 0x80) x -= 1n << BigInt(8 * bytes.length);
  return x;
}

/** Ion decimal text of `unscaled × 10^-scale`. */
export function decimalText(unscaled: bigint, scale: number): string {
  const sign = unscaled < 0n ? "-" : "";
  let digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  if (scale <= 0) return `${sign}${digits}${"0".repeat(-scale)}.`;
  digits = digits.padStart(scale + 1, "0");
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const blob = (v: Uint8Array) => `{{${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")}}}`;
const nullable =
  (emit: (v: never) => string): Emit =>
  (v) =>
    v == null ? "null" : emit(v as never);

function leafEmitter(e: SchemaElement): Emit {
  const ltype = e.logical_type;
  const ctype = e.converted_type;
  if (ctype === "DECIMAL" || ltype?.type === "DECIMAL") {
    const scale = ltype?.type === "DECIMAL" ? ltype.scale : (e.scale ?? 0);
    return nullable((v: number | bigint | Uint8Array) =>
      decimalText(v instanceof Uint8Array ? bigIntOfBytes(v) : BigInt(v), scale),
    );
  }
  if (ctype === "DATE" || ltype?.type === "DATE") return nullable((v: number) => ionTimestamp(dateText(Number(v))));
  if (ctype === "TIME_MILLIS" || ctype === "TIME_MICROS" || ltype?.type === "TIME") {
    const unit = ltype?.type === "TIME" ? ltype.unit : ctype === "TIME_MILLIS" ? "MILLIS" : "MICROS";
    const digits = unit === "MILLIS" ? 3 : unit === "MICROS" ? 6 : 9;
    return nullable((v: number | bigint) => ionString(timeText(BigInt(v), digits)));
  }
  if (ctype === "TIMESTAMP_MILLIS" || ctype === "TIMESTAMP_MICROS" || ltype?.type === "TIMESTAMP") {
    const unit = ltype?.type === "TIMESTAMP" ? ltype.unit : ctype === "TIMESTAMP_MILLIS" ? "MILLIS" : "MICROS";
    const utc = ltype?.type === "TIMESTAMP" ? ltype.isAdjustedToUTC : true;
    const digits = unit === "MILLIS" ? 3 : unit === "MICROS" ? 6 : 9;
    return nullable((v: number | bigint) => ionTimestamp(timestampText(BigInt(v), digits, utc)));
  }
  if (e.type === "INT96") return nullable((v: string) => ionTimestamp(v));
  if (
    ctype === "UTF8" ||
    ctype === "ENUM" ||
    ctype === "JSON" ||
    ltype?.type === "STRING" ||
    ltype?.type === "ENUM" ||
    ltype?.type === "JSON" ||
    ltype?.type === "UUID"
  )
    return nullable((v: string | Uint8Array) => ionString(typeof v === "string" ? v : decoder.decode(v)));
  switch (e.type) {
    case "BOOLEAN":
      return nullable((v: boolean) => (v ? "true" : "false"));
    case "INT32":
    case "INT64":
      return nullable((v: number | bigint) => String(v));
    case "FLOAT":
    case "DOUBLE":
      return nullable((v: number) => ionFloat(v));
    case "BYTE_ARRAY":
    case "FIXED_LEN_BYTE_ARRAY":
      return nullable((v: unknown) => (v instanceof Uint8Array ? blob(v) : toIon(v)));
    default:
      return toIon;
  }
}
