/**
 * Ion rows to Avro records: a converter compiled once per schema turns each value read from an
 * Ion file into what avsc writes for the schema's type, as Kestra's IonToAvro converts them:
 * strings are parsed (numbers, booleans from `trueValues`/`falseValues`, nulls from `nullValues`,
 * dates with the configured formats), logical types become their stored form.
 */
import { cellText } from "./cells.ts";
import { type AvroType, typeLabel } from "./avroTypes.ts";
import { integerOf, parseDecimal, parseFloatText, preview, rescale, withPoint } from "./schemaValues.ts";
import type { TextValues } from "./schemaValues.ts";
import type { TemporalParser } from "./javaTime.ts";
import type { OnBadLines } from "./common.ts";
import { takesListRows } from "./listRows.ts";

/** A value that does not fit its type; `path` is the field it is in (`address.city`, `tags[2]`). */
export class CellError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** A row to leave out (`onBadLines: WARN` or `SKIP`), with why. */
export class SkipRow extends Error {}

export interface ConvertOptions {
  /** `trueValues`, `falseValues` and `nullValues` (see `textValues`). */
  values: TextValues;
  /** The task's `dateFormat`, `timeFormat`, `datetimeFormat` and `timeZoneId`. */
  temporal: TemporalParser;
  decimalSeparator: string;
  strictSchema: boolean;
  inferAllFields: boolean;
  onBadLines: OnBadLines;
  /** Called for each bad cell or row kept or left out with WARN. */
  warn(message: string): void;
}

type Convert = (value: unknown, path: string) => unknown;

const fail = (path: string, value: unknown, what: string): never => {
  throw new CellError(`${preview(value)} is not ${what}`, path);
};

/** Compiles the converter of a record schema: `row` gives the record avsc encodes. */
export function compileRowConverter(schema: AvroType, o: ConvertOptions): (row: unknown) => Record<string, unknown> {
  const isNullText = (v: unknown) => typeof v === "string" && o.values.isNull(v);
  const number = (v: string) => withPoint(v, o.decimalSeparator);
  const compiled = new Map<AvroType, Convert>();

  function compile(type: AvroType): Convert {
    const known = compiled.get(type);
    if (known) return known;
    // Records can refer to themselves: the map holds a forwarder until the converter exists.
    const ref: { convert?: Convert } = {};
    compiled.set(type, (v, p) => ref.convert!(v, p));
    const inner = build(type);
    const convert: Convert = o.inferAllFields
      ? (v, p) => {
          const read = typeof v === "string" ? o.values.any(v) : undefined;
          return inner(read === undefined ? v : read, p);
        }
      : inner;
    ref.convert = convert;
    compiled.set(type, convert);
    return convert;
  }

  function build(type: AvroType): Convert {
    if (type.kind) return logical(type);
    switch (type.typeName) {
      case "null":
        return (v, p) => (v === null || isNullText(v) ? null : fail(p, v, "null"));
      case "boolean":
        return (v, p) => {
          if (typeof v === "boolean") return v;
          const read = typeof v === "string" ? o.values.boolean(v) : undefined;
          if (read !== undefined) return read;
          if (v === 1) return true;
          if (v === 0) return false;
          return fail(p, v, "a boolean");
        };
      case "int":
        return (v, p) => {
          const n = typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : v;
          if (typeof n === "number" && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647) return n;
          return fail(p, v, "an int");
        };
      case "long":
      case "abstract:long":
        return (v, p) => toLong(v) ?? fail(p, v, "a long");
      case "float":
      case "double":
        return (v, p) => {
          if (typeof v === "number") return v;
          if (typeof v === "bigint") return Number(v);
          if (typeof v === "string") {
            const n = parseFloatText(number(v));
            if (n !== undefined) return n;
          }
          return fail(p, v, `a ${type.typeName}`);
        };
      case "string":
        return (v, p) => cellText(v) ?? fail(p, v, "a string");
      case "bytes":
        return (v, p) => toBytes(v) ?? fail(p, v, "bytes");
      case "fixed":
        return (v, p) => {
          const b = toBytes(v);
          if (b?.length === type.size) return b;
          return fail(p, v, `${type.size} bytes (fixed ${type.name})`);
        };
      case "enum": {
        const symbols = new Set(type.symbols);
        return (v, p) =>
          typeof v === "string" && symbols.has(v) ? v : fail(p, v, `one of ${type.symbols!.join(", ")}`);
      }
      case "array": {
        const item = compile(type.itemsType!);
        return (v, p) => {
          if (!Array.isArray(v)) return fail(p, v, "a list");
          return v.map((x, i) => item(x, `${p}[${i}]`));
        };
      }
      case "map": {
        const value = compile(type.valuesType!);
        return (v, p) => {
          if (!isStruct(v)) return fail(p, v, "a struct (map)");
          const out: Record<string, unknown> = {};
          for (const [k, x] of Object.entries(v)) out[k] = value(x, `${p}.${k}`);
          return out;
        };
      }
      case "union:wrapped":
        return union(type);
      case "record":
      case "error":
        return record(type);
      default:
        throw new Error(`unsupported Avro type ${type.typeName}`);
    }
  }

  function union(type: AvroType): Convert {
    const branches = type.types!.map((t) => ({ t, convert: compile(t), name: t.branchName! }));
    const hasNull = branches.some((b) => b.t.typeName === "null");
    const label = typeLabel(type);
    return (v, p) => {
      if (v === null && hasNull) return null;
      let first: CellError | undefined;
      for (const b of branches) {
        // The null branch is tried in its place without an exception (most values are not null).
        if (b.t.typeName === "null") {
          if (isNullText(v) || (o.inferAllFields && v === null)) return null;
          continue;
        }
        try {
          return { [b.name]: b.convert(v, p) };
        } catch (error) {
          if (!(error instanceof CellError)) throw error;
          first ??= error;
        }
      }
      throw new CellError(
        `${preview(v)} fits no type of ${label}${first ? ` (${first.path === p ? "" : `${first.path}: `}${first.message})` : ""}`,
        p,
      );
    };
  }

  function record(type: AvroType): Convert {
    const fields = type.fields!.map((f) => ({
      name: f.name,
      aliases: f.aliases,
      convert: compile(f.type),
      nullable: f.type.typeName === "null" || !!f.type.types?.some((t) => t.typeName === "null"),
    }));
    const names = new Set(fields.flatMap((f) => [f.name, ...f.aliases]));
    // A row that is a list may be the value of the record's one array field (see listRows.ts).
    const listField = takesListRows(type.fields!.map((f) => ({ name: f.name, array: f.type.typeName === "array" })))
      ? fields[0]!
      : undefined;
    return (v, p) => {
      let data: Record<string, unknown>;
      if (Array.isArray(v) && p === "" && listField) data = { [listField.name]: v };
      else if (Array.isArray(v) && p === "") {
        // A row of a list (CSV without header): values by position.
        if (o.strictSchema && v.length > fields.length)
          throw new CellError(`the row has ${v.length} values, the schema ${fields.length} fields`, p);
        data = {};
        fields.forEach((f, i) => (data[f.name] = v[i] ?? null));
      } else if (isStruct(v)) {
        data = v;
        if (o.strictSchema) {
          const extra = Object.keys(v).filter((k) => !names.has(k));
          if (extra.length > 0) throw new CellError(`fields not in the schema: ${extra.join(", ")} (strictSchema)`, p);
        }
      } else {
        return fail(p, v, `a struct (${typeLabel(type)})`);
      }
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        let value = data[f.name];
        if (value === undefined) {
          for (const a of f.aliases) {
            if (data[a] !== undefined) {
              value = data[a];
              break;
            }
          }
        }
        const path = p === "" ? f.name : `${p}.${f.name}`;
        try {
          out[f.name] = f.convert(value ?? null, path);
        } catch (error) {
          if (!(error instanceof CellError) || o.onBadLines === "ERROR") throw error;
          if (!f.nullable) throw new SkipRow(`field '${error.path}': ${error.message}`);
          if (o.onBadLines === "WARN") o.warn(`field '${error.path}': ${error.message}; written as null`);
          out[f.name] = null;
        }
      }
      return out;
    };
  }

  function logical(type: AvroType): Convert {
    const kind = type.kind!;
    const base = type.underlyingType!;
    const micros = kind.endsWith("-micros");
    switch (kind) {
      case "decimal": {
        const scale = type.scale!;
        const precision = type.precision!;
        const fixedSize = base.typeName === "fixed" ? base.size : undefined;
        return (v, p) => {
          if (typeof v === "string" && fixedSize === undefined) {
            const fast = smallDecimal(v, scale, precision, o.decimalSeparator);
            if (fast !== undefined) return fast;
          }
          const d =
            typeof v === "string"
              ? parseDecimal(number(v))
              : typeof v === "number" && Number.isFinite(v)
                ? parseDecimal(String(v))
                : typeof v === "bigint"
                  ? { unscaled: v, scale: 0 }
                  : undefined;
          if (!d) return fail(p, v, `a decimal(${precision}, ${scale})`);
          const unscaled = rescale(d.unscaled, d.scale, scale, "HALF_EVEN");
          if ((unscaled < 0n ? -unscaled : unscaled).toString().length > precision)
            throw new CellError(`${preview(v)} has more than ${precision} digits (decimal(${precision}, ${scale}))`, p);
          const bytes = twosComplement(unscaled, base.typeName === "fixed" ? base.size! : undefined);
          if (!bytes) throw new CellError(`${preview(v)} does not fit fixed ${base.name}`, p);
          return bytes;
        };
      }
      case "uuid":
        return (v, p) =>
          typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.trim())
            ? v.trim().toLowerCase()
            : fail(p, v, "a UUID");
      case "date":
        return (v, p) => {
          if (typeof v === "number" && Number.isInteger(v)) return v;
          if (typeof v === "string") {
            const day = o.temporal.epochDays(v);
            if (day !== undefined) return day;
          }
          return fail(p, v, `a date (dateFormat '${o.temporal.date.pattern}')`);
        };
      case "time-millis":
      case "time-micros":
        return (v, p) => {
          if (typeof v === "number" && Number.isInteger(v)) return v;
          if (typeof v === "string") {
            const us = o.temporal.timeMicros(v);
            if (us !== undefined) return micros ? us : Math.floor(us / 1000);
          }
          return fail(p, v, `a time (timeFormat '${o.temporal.time.pattern}')`);
        };
      default: {
        // timestamp-millis/micros, local-timestamp-millis/micros
        const local = kind.startsWith("local-");
        return (v, p) => {
          if (typeof v === "number" || typeof v === "bigint") {
            const n = toLong(v);
            if (n !== undefined) return n;
          } else if (typeof v === "string") {
            if (/^\s*-?\d+\s*$/.test(v)) return toLong(v)!;
            const us = o.temporal.epochMicros(v, local);
            const n = us === undefined ? undefined : toLong(micros ? us : floorDiv(us, 1000n));
            if (n !== undefined) return n;
          }
          return fail(p, v, `a date-time (datetimeFormat '${o.temporal.datetime.pattern}')`);
        };
      }
    }
  }

  const row = compile(schema);
  return (value) => row(value, "") as Record<string, unknown>;
}

function isStruct(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v);
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

function toLong(v: unknown): number | bigint | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  const big = integerOf(v);
  if (big === undefined || big < MIN_LONG || big > MAX_LONG) return undefined;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Big-endian two's complement bytes of `n`: the fewest, or exactly `size` (undefined if it does not fit). */
export function twosComplement(n: bigint, size?: number): Buffer | undefined {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0]! & 0x80) === 0) || (v === -1n && (bytes[0]! & 0x80) !== 0)));
  if (size === undefined) return Buffer.from(bytes);
  if (bytes.length > size) return undefined;
  const pad = n < 0n ? 0xff : 0;
  return Buffer.from([...new Array<number>(size - bytes.length).fill(pad), ...bytes]);
}

const SMALL_DECIMAL = /^(-?)(\d{1,15})(?:\.(\d*))?$/;

/**
 * The bytes of a decimal text with at most `scale` digits after the point and at most 15 digits,
 * computed with numbers (the common case, several times faster than bigints); undefined otherwise.
 */
function smallDecimal(text: string, scale: number, precision: number, separator: string): Buffer | undefined {
  const m = SMALL_DECIMAL.exec(separator === "." ? text : text.replace(separator, "."));
  if (!m) return undefined;
  const frac = m[3] ?? "";
  if (frac.length > scale) return undefined;
  const digits = `${m[2]}${frac.padEnd(scale, "0")}`.replace(/^0+(?=\d)/, "");
  if (digits.length > 15 || digits.length > precision) return undefined;
  let v = m[1] === "-" ? -Number(digits) : Number(digits);
  const bytes: number[] = [];
  for (;;) {
    const b = ((v % 256) + 256) % 256;
    bytes.push(b);
    v = Math.floor(v / 256);
    if ((v === 0 && b < 0x80) || (v === -1 && b >= 0x80)) break;
  }
  return Buffer.from(bytes.reverse());
}

function toBytes(v: unknown): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === "string") return Buffer.from(v, "utf8");
  return undefined;
}
