/**
 * Avro records to Ion text, as Kestra's AvroToIon writes them: dates are day timestamps,
 * timestamps are UTC timestamps, times and local date-times are annotated strings
 * (`LocalTime::"10:20:30"`, `LocalDateTime::"…"`), decimals are Ion decimals, bytes and fixed are
 * blobs, enums and UUIDs strings. One writer is compiled per schema.
 */
import { ionFieldName, ionFloat, ionString } from "@saker/sdk/ion";
import type { AvroType } from "./avroTypes.ts";
import { holdsListRows, LIST_ROWS_FIELD } from "./listRows.ts";

type Write = (value: unknown) => string;

const DAY_MS = 86_400_000;

/** `.123`, `.1234` … with the trailing zeros of the fraction left out, as Java's ISO formats print. */
function fraction(nanos: number): string {
  if (nanos === 0) return "";
  return `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
}

function isoInstant(micros: number, withMicros: boolean): string {
  const ms = Math.floor(micros / 1000);
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  if (Number.isNaN(ms) || year < 1 || year > 9999) throw new Error(`the timestamp ${micros} is outside Ion's years`);
  const text = date.toISOString();
  return withMicros ? `${text.slice(0, -1)}${String(micros - ms * 1000).padStart(3, "0")}Z` : text;
}

/** `HH:mm:ss` and the fraction, of microseconds since midnight. */
function timeOfDay(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds / 60) % 60;
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(h)}:${two(m)}:${two(s)}${fraction((micros % 1_000_000) * 1000)}`;
}

/** The Ion text of a decimal of `unscaled` digits and `scale`: `12.30`, `-0.5`, `42.`. */
export function decimalText(unscaled: bigint | number, scale: number): string {
  const negative = unscaled < 0;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return `${negative ? "-" : ""}${digits}.`;
  const padded = digits.padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function fromTwosComplement(bytes: Buffer): bigint | number {
  if (bytes.length === 0) return 0;
  if (bytes.length <= 6) return bytes.readIntBE(0, bytes.length);
  let n = BigInt(`0x${bytes.toString("hex")}`);
  if (bytes[0]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n;
}

const num = (v: unknown) => Number(v as number | bigint);

/** Compiles the Ion writer of a type: the text of one value, without a line break. */
export function compileIonWriter(root: AvroType): Write {
  const compiled = new Map<AvroType, Write>();

  function compile(type: AvroType): Write {
    const known = compiled.get(type);
    if (known) return known;
    // Records can refer to themselves: the map holds a forwarder until the writer exists.
    const ref: { write?: Write } = {};
    compiled.set(type, (v) => ref.write!(v));
    const inner = build(type);
    ref.write = inner;
    compiled.set(type, inner);
    return inner;
  }

  function build(type: AvroType): Write {
    if (type.kind) return logical(type);
    switch (type.typeName) {
      case "null":
        return () => "null";
      case "boolean":
        return (v) => (v ? "true" : "false");
      case "int":
      case "long":
      case "abstract:long":
        return (v) => String(v);
      case "float":
      case "double":
        return (v) => ionFloat(v as number);
      case "string":
      case "enum":
        return (v) => ionString(v as string);
      case "bytes":
      case "fixed":
        return (v) => `{{${(v as Buffer).toString("base64")}}}`;
      case "array": {
        const item = compile(type.itemsType!);
        return (v) => `[${(v as unknown[]).map(item).join(",")}]`;
      }
      case "map": {
        const value = compile(type.valuesType!);
        return (v) => {
          let text = "{";
          let first = true;
          for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
            text += `${first ? "" : ","}${ionFieldName(k)}:${value(x)}`;
            first = false;
          }
          return `${text}}`;
        };
      }
      case "union:wrapped": {
        const branches = new Map(type.types!.map((t) => [t.branchName!, compile(t)]));
        return (v) => {
          if (v === null) return "null";
          for (const k in v as object) return branches.get(k)!((v as Record<string, unknown>)[k]);
          return "null";
        };
      }
      case "record":
      case "error": {
        const fields = type.fields!.map((f) => ({ name: f.name, key: ionFieldName(f.name), write: compile(f.type) }));
        return (v) => {
          const r = v as Record<string, unknown>;
          let text = "{";
          for (let i = 0; i < fields.length; i++) {
            const f = fields[i]!;
            text += `${i === 0 ? "" : ","}${f.key}:${f.write(r[f.name])}`;
          }
          return `${text}}`;
        };
      }
      default:
        throw new Error(`unsupported Avro type ${type.typeName}`);
    }
  }

  function logical(type: AvroType): Write {
    switch (type.kind) {
      case "decimal": {
        const scale = type.scale!;
        return (v) => decimalText(fromTwosComplement(v as Buffer), scale);
      }
      case "uuid":
        return (v) => ionString(v as string);
      case "date":
        return (v) => new Date(num(v) * DAY_MS).toISOString().slice(0, 10);
      case "time-millis":
        return (v) => `LocalTime::"${timeOfDay(num(v) * 1000)}"`;
      case "time-micros":
        return (v) => `LocalTime::"${timeOfDay(num(v))}"`;
      case "timestamp-millis":
        return (v) => isoInstant(num(v) * 1000, false);
      case "timestamp-micros":
        return (v) => isoInstant(num(v), true);
      case "local-timestamp-millis":
      case "local-timestamp-micros": {
        const factor = type.kind === "local-timestamp-millis" ? 1000 : 1;
        return (v) => {
          const us = num(v) * factor;
          const day = Math.floor(us / (DAY_MS * 1000));
          const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
          return `LocalDateTime::"${date}T${timeOfDay(us - day * DAY_MS * 1000)}"`;
        };
      }
      default:
        return compile(type.underlyingType!);
    }
  }

  // Rows that were lists (see listRows.ts) are lists again, as Kestra's AvroToIon gives them back.
  const fields = root.typeName === "record" ? (root.fields ?? []) : [];
  if (
    holdsListRows(
      root.name,
      fields.map((f) => ({ name: f.name, array: f.type.typeName === "array" })),
    )
  ) {
    const write = compile(fields[0]!.type);
    return (v) => write((v as Record<string, unknown>)[LIST_ROWS_FIELD]);
  }
  return compile(root);
}
