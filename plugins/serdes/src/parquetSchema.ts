/**
 * The Avro schema Kestra's IonToParquet takes (a record), read into a tree of types; the Parquet
 * schema it maps to (as parquet-avro maps it); and the conversion of an Ion row to the values
 * hyparquet-writer stores.
 */
import type { SchemaElement } from "hyparquet";
import type { TemporalParser } from "./javaTime.ts";
import { takesListRows } from "./listRows.ts";
import { integerOf, LOGICAL_BASES, parseDecimal, parseFloatText, preview, rescale, withPoint } from "./schemaValues.ts";
import type { TextValues } from "./schemaValues.ts";

type Primitive = "boolean" | "int" | "long" | "float" | "double" | "string" | "bytes";
type Logical =
  | "date"
  | "time-millis"
  | "time-micros"
  | "timestamp-millis"
  | "timestamp-micros"
  | "local-timestamp-millis"
  | "local-timestamp-micros"
  | "decimal"
  | "uuid";

export type AvroType =
  | { kind: Primitive; logical?: Logical; precision?: number; scale?: number }
  | { kind: "fixed"; size: number; logical?: "decimal"; precision?: number; scale?: number }
  | { kind: "enum"; symbols: ReadonlySet<string> }
  | { kind: "array"; items: AvroType; nullable: boolean }
  | { kind: "map"; values: AvroType; nullable: boolean }
  | {
      kind: "record";
      name: string;
      /** The name with its namespace (`com.example.Row`), as Avro's `getFullName`. */
      fullName: string;
      fields: readonly AvroField[];
    };

export interface AvroField {
  name: string;
  type: AvroType;
  nullable: boolean;
  /** The field's `default`, when it has one. */
  fallback?: { value: unknown };
}

export type AvroRecord = Extract<AvroType, { kind: "record" }>;

/** A schema that cannot be used; the message says where. */
export class AvroSchemaError extends Error {}

const PRIMITIVES = new Set(["boolean", "int", "long", "float", "double", "string", "bytes"]);
const LOGICAL_BASE: Record<Logical, readonly string[]> = LOGICAL_BASES;

/** Reads an Avro schema (its JSON, see `schemaJson`) whose top level is a record. */
export function parseAvroSchema(json: unknown): AvroRecord {
  const named = new Map<string, AvroType>();
  const top = readType(json, "the schema", named, undefined);
  if (top.type.kind !== "record") throw new AvroSchemaError("the top level must be a record");
  if (top.nullable) throw new AvroSchemaError("the top-level record may not be nullable");
  return top.type;
}

function readType(
  json: unknown,
  where: string,
  named: Map<string, AvroType>,
  namespace: string | undefined,
): { type: AvroType; nullable: boolean } {
  if (Array.isArray(json)) {
    const branches = json.filter((b) => b !== "null");
    if (branches.length !== 1 || json.length > 2)
      throw new AvroSchemaError(
        `${where}: only a union of one type with "null" is supported, got ${JSON.stringify(json)}`,
      );
    return { type: readType(branches[0], where, named, namespace).type, nullable: json.length === 2 };
  }
  if (typeof json === "string") {
    if (PRIMITIVES.has(json)) return { type: { kind: json as Primitive }, nullable: false };
    if (json === "null") throw new AvroSchemaError(`${where}: a field of type "null" alone is not supported`);
    const ref = named.get(json) ?? (namespace ? named.get(`${namespace}.${json}`) : undefined);
    if (!ref) throw new AvroSchemaError(`${where}: unknown type '${json}'`);
    return { type: ref, nullable: false };
  }
  if (json === null || typeof json !== "object") throw new AvroSchemaError(`${where}: not a type: ${String(json)}`);
  const o = json as Record<string, unknown>;
  const type = o.type;
  const logical = typeof o.logicalType === "string" ? (o.logicalType as Logical) : undefined;
  const name = typeof o.name === "string" ? o.name : undefined;
  // As Avro names a type: a name with dots holds its namespace (the `namespace` is then ignored);
  // otherwise the `namespace` given, else the enclosing type's; an empty namespace is none.
  const dot = name?.lastIndexOf(".") ?? -1;
  const ns = (dot >= 0 ? name!.slice(0, dot) : typeof o.namespace === "string" ? o.namespace : namespace) || undefined;
  const shortName = dot >= 0 ? name!.slice(dot + 1) : name;
  const fullName = shortName && ns ? `${ns}.${shortName}` : shortName;
  const register = (t: AvroType) => {
    if (shortName) {
      named.set(shortName, t);
      named.set(fullName!, t);
    }
    return { type: t, nullable: false };
  };
  switch (type) {
    case "record":
    case "error": {
      if (!Array.isArray(o.fields)) throw new AvroSchemaError(`${where}: a record needs a "fields" list`);
      const fields: AvroField[] = [];
      const record: AvroType = { kind: "record", name: shortName ?? "record", fullName: fullName ?? "record", fields };
      register(record);
      const seen = new Set<string>();
      for (const f of o.fields as unknown[]) {
        if (f === null || typeof f !== "object" || typeof (f as { name?: unknown }).name !== "string")
          throw new AvroSchemaError(`${where}: each field needs a name`);
        const field = f as { name: string; type?: unknown; default?: unknown };
        if (seen.has(field.name)) throw new AvroSchemaError(`${where}: field '${field.name}' is declared twice`);
        seen.add(field.name);
        if (field.type === undefined) throw new AvroSchemaError(`field '${field.name}' has no type`);
        const t = readType(field.type, `field '${field.name}'`, named, ns);
        fields.push({
          name: field.name,
          type: t.type,
          nullable: t.nullable,
          ...("default" in field ? { fallback: { value: field.default } } : {}),
        });
      }
      if (fields.length === 0) throw new AvroSchemaError(`${where}: a record needs at least one field`);
      return { type: record, nullable: false };
    }
    case "enum": {
      if (!Array.isArray(o.symbols) || o.symbols.some((s) => typeof s !== "string"))
        throw new AvroSchemaError(`${where}: an enum needs a list of "symbols"`);
      return register({ kind: "enum", symbols: new Set(o.symbols as string[]) });
    }
    case "fixed": {
      if (typeof o.size !== "number" || !Number.isInteger(o.size) || o.size < 1)
        throw new AvroSchemaError(`${where}: a fixed needs a positive "size"`);
      const decimal = decimalOf(o, logical, where, o.size);
      return register({
        kind: "fixed",
        size: o.size,
        ...(decimal.logical === "decimal"
          ? { logical: "decimal", precision: decimal.precision, scale: decimal.scale }
          : {}),
      });
    }
    case "array":
      if (o.items === undefined) throw new AvroSchemaError(`${where}: an array needs "items"`);
      {
        const items = readType(o.items, `${where} items`, named, ns);
        return { type: { kind: "array", items: items.type, nullable: items.nullable }, nullable: false };
      }
    case "map":
      if (o.values === undefined) throw new AvroSchemaError(`${where}: a map needs "values"`);
      {
        const values = readType(o.values, `${where} values`, named, ns);
        return { type: { kind: "map", values: values.type, nullable: values.nullable }, nullable: false };
      }
    default:
      if (typeof type === "string" && PRIMITIVES.has(type)) {
        if (logical && LOGICAL_BASE[logical]?.includes(type))
          return { type: { kind: type as Primitive, ...decimalOf(o, logical, where) }, nullable: false };
        // Avro ignores a logical type it does not know or that does not fit its base type.
        return { type: { kind: type as Primitive }, nullable: false };
      }
      if (type !== undefined && typeof type !== "string") return readType(type, where, named, ns);
      throw new AvroSchemaError(`${where}: unknown type ${JSON.stringify(type)}`);
  }
}

function decimalOf(
  o: Record<string, unknown>,
  logical: Logical | undefined,
  where: string,
  size?: number,
): { logical?: Logical; precision?: number; scale?: number } {
  if (logical !== "decimal") return logical && logical !== "uuid" && size === undefined ? { logical } : {};
  const precision = o.precision;
  const scale = o.scale ?? 0;
  if (typeof precision !== "number" || !Number.isInteger(precision) || precision < 1)
    throw new AvroSchemaError(`${where}: a decimal needs a positive integer "precision"`);
  if (typeof scale !== "number" || !Number.isInteger(scale) || scale < 0 || scale > precision)
    throw new AvroSchemaError(`${where}: a decimal's "scale" must be between 0 and its precision`);
  if (size !== undefined && precision > Math.floor(Math.log10(2) * (8 * size - 1)))
    throw new AvroSchemaError(`${where}: a fixed of ${size} bytes cannot hold a decimal of precision ${precision}`);
  return { logical: "decimal", precision, scale };
}

/**
 * The Parquet schema of the record, depth first, as hyparquet-writer takes it. Its root is named
 * after the record with its namespace, as parquet-avro's `AvroSchemaConverter` names the message.
 */
export function parquetSchemaOf(record: AvroRecord): SchemaElement[] {
  const out: SchemaElement[] = [{ name: record.fullName, num_children: record.fields.length }];
  for (const f of record.fields) addElement(out, f.name, f.type, f.nullable ? "OPTIONAL" : "REQUIRED");
  return out;
}

function addElement(out: SchemaElement[], name: string, t: AvroType, repetition: "OPTIONAL" | "REQUIRED"): void {
  const base = { name, repetition_type: repetition } as const;
  switch (t.kind) {
    case "boolean":
      out.push({ ...base, type: "BOOLEAN" });
      return;
    case "int":
      if (t.logical === "date")
        out.push({ ...base, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } });
      else if (t.logical === "time-millis")
        out.push({
          ...base,
          type: "INT32",
          converted_type: "TIME_MILLIS",
          logical_type: { type: "TIME", isAdjustedToUTC: true, unit: "MILLIS" },
        });
      else out.push({ ...base, type: "INT32" });
      return;
    case "long":
      switch (t.logical) {
        case "time-micros":
          out.push({
            ...base,
            type: "INT64",
            converted_type: "TIME_MICROS",
            logical_type: { type: "TIME", isAdjustedToUTC: true, unit: "MICROS" },
          });
          return;
        case "timestamp-millis":
        case "timestamp-micros": {
          const unit = t.logical === "timestamp-millis" ? "MILLIS" : "MICROS";
          out.push({
            ...base,
            type: "INT64",
            converted_type: unit === "MILLIS" ? "TIMESTAMP_MILLIS" : "TIMESTAMP_MICROS",
            logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit },
          });
          return;
        }
        case "local-timestamp-millis":
        case "local-timestamp-micros":
          out.push({
            ...base,
            type: "INT64",
            logical_type: {
              type: "TIMESTAMP",
              isAdjustedToUTC: false,
              unit: t.logical === "local-timestamp-millis" ? "MILLIS" : "MICROS",
            },
          });
          return;
        default:
          out.push({ ...base, type: "INT64" });
          return;
      }
    case "float":
      out.push({ ...base, type: "FLOAT" });
      return;
    case "double":
      out.push({ ...base, type: "DOUBLE" });
      return;
    case "string":
      out.push({ ...base, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } });
      return;
    case "bytes":
    case "fixed": {
      const physical =
        t.kind === "fixed"
          ? ({ type: "FIXED_LEN_BYTE_ARRAY", type_length: t.size } as const)
          : ({ type: "BYTE_ARRAY" } as const);
      if (t.logical === "decimal")
        out.push({
          ...base,
          ...physical,
          converted_type: "DECIMAL",
          precision: t.precision,
          scale: t.scale,
          logical_type: { type: "DECIMAL", precision: t.precision!, scale: t.scale! },
        });
      else out.push({ ...base, ...physical });
      return;
    }
    case "enum":
      out.push({ ...base, type: "BYTE_ARRAY", converted_type: "ENUM", logical_type: { type: "ENUM" } });
      return;
    case "array":
      out.push({ ...base, num_children: 1, converted_type: "LIST", logical_type: { type: "LIST" } });
      out.push({ name: "list", repetition_type: "REPEATED", num_children: 1 });
      addElement(out, "element", t.items, t.nullable ? "OPTIONAL" : "REQUIRED");
      return;
    case "map":
      out.push({ ...base, num_children: 1, converted_type: "MAP", logical_type: { type: "MAP" } });
      out.push({ name: "key_value", repetition_type: "REPEATED", num_children: 2 });
      out.push({
        name: "key",
        repetition_type: "REQUIRED",
        type: "BYTE_ARRAY",
        converted_type: "UTF8",
        logical_type: { type: "STRING" },
      });
      addElement(out, "value", t.values, t.nullable ? "OPTIONAL" : "REQUIRED");
      return;
    case "record":
      out.push({ ...base, num_children: t.fields.length });
      for (const f of t.fields) addElement(out, f.name, f.type, f.nullable ? "OPTIONAL" : "REQUIRED");
      return;
  }
}

/** A value that does not fit the schema: `path` names the field. */
export class ValueError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ConvertOptions {
  temporal: TemporalParser;
  /** `trueValues`, `falseValues` and `nullValues` (see `textValues`). */
  values: TextValues;
  decimalSeparator: string;
  strictSchema: boolean;
  /**
   * Kestra's `inferAllFields`: the three lists apply to every text whatever its type (a text of
   * `nullValues` is null, then `trueValues` true, `falseValues` false), not only to boolean and
   * nullable fields.
   */
  inferAllFields: boolean;
}

const encoder = new TextEncoder();

/**
 * Converts an Ion row (a struct keyed by field, or a list in field order) to the record's values
 * as hyparquet-writer stores them; `size` grows by an estimate of the bytes they take.
 */
export class RowConverter {
  /** Estimated bytes converted so far. */
  size = 0;
  private readonly takesListRows: boolean;

  constructor(
    private readonly record: AvroRecord,
    private readonly o: ConvertOptions,
  ) {
    this.takesListRows = takesListRows(
      record.fields.map((f) => ({ name: f.name, array: f.type.kind === "array" && !f.nullable })),
    );
  }

  row(value: unknown): unknown[] {
    const fields = this.record.fields;
    // A row that is a list may be the value of the record's one array field (see listRows.ts).
    if (Array.isArray(value) && this.takesListRows) return [this.field(fields[0]!, value, fields[0]!.name, true)];
    if (Array.isArray(value)) {
      if (this.o.strictSchema && value.length > fields.length)
        throw new ValueError(
          "",
          `the row has ${value.length} values but the schema ${fields.length} fields (strictSchema)`,
        );
      return fields.map((f, i) => this.field(f, value[i], f.name, i < value.length));
    }
    if (value === null || typeof value !== "object" || Buffer.isBuffer(value))
      throw new ValueError("", `a row must be a struct or a list, got ${preview(value)}`);
    const row = value as Record<string, unknown>;
    if (this.o.strictSchema) this.checkStrict(this.record, row, "");
    return fields.map((f) => this.field(f, row[f.name], f.name, Object.hasOwn(row, f.name)));
  }

  private checkStrict(record: AvroRecord, row: Record<string, unknown>, path: string): void {
    for (const key of Object.keys(row))
      if (!record.fields.some((f) => f.name === key))
        throw new ValueError(`${path}${key}`, "the field is not in the schema (strictSchema)");
  }

  private field(f: AvroField, value: unknown, path: string, present: boolean): unknown {
    if (!present && f.fallback) value = f.fallback.value;
    return this.value(f.type, f.nullable, value, path);
  }

  private value(t: AvroType, nullable: boolean, v: unknown, path: string): unknown {
    if (v === undefined) v = null;
    if (typeof v === "string") {
      if (this.o.inferAllFields) {
        const read = this.o.values.any(v);
        if (read !== undefined) v = read;
      } else if (nullable && this.o.values.isNull(v)) v = null;
    }
    if (v === null) {
      if (nullable) return null;
      throw new ValueError(path, "null in a field that is not nullable");
    }
    switch (t.kind) {
      case "boolean":
        this.size += 1;
        if (typeof v === "boolean") return v;
        return (typeof v === "string" ? this.o.values.boolean(v) : undefined) ?? this.fail(path, v, "a boolean");
      case "int": {
        this.size += 4;
        if (t.logical === "date") {
          const days = typeof v === "string" ? this.o.temporal.epochDays(v) : undefined;
          return days ?? this.fail(path, v, "a date (dateFormat)");
        }
        if (t.logical === "time-millis") {
          const micros = typeof v === "string" ? this.o.temporal.timeMicros(v) : undefined;
          return micros === undefined ? this.fail(path, v, "a time (timeFormat)") : Math.floor(micros / 1000);
        }
        const n = this.integer(v) ?? this.fail(path, v, "an int");
        if (n < -2147483648n || n > 2147483647n) this.fail(path, v, "an int (32 bits)");
        return Number(n);
      }
      case "long": {
        this.size += 8;
        switch (t.logical) {
          case "time-micros": {
            const micros = typeof v === "string" ? this.o.temporal.timeMicros(v) : undefined;
            return micros === undefined ? this.fail(path, v, "a time (timeFormat)") : BigInt(micros);
          }
          case "timestamp-millis":
          case "timestamp-micros":
          case "local-timestamp-millis":
          case "local-timestamp-micros": {
            const local = t.logical.startsWith("local");
            const micros = typeof v === "string" ? this.o.temporal.epochMicros(v, local) : undefined;
            if (micros === undefined) return this.fail(path, v, "a date-time (datetimeFormat)");
            return t.logical.endsWith("millis") ? floorDiv(micros, 1000n) : micros;
          }
          default: {
            const n = this.integer(v) ?? this.fail(path, v, "a long");
            if (n < -(2n ** 63n) || n >= 2n ** 63n) this.fail(path, v, "a long (64 bits)");
            return n;
          }
        }
      }
      case "float":
      case "double": {
        this.size += t.kind === "float" ? 4 : 8;
        if (typeof v === "number") return v;
        if (typeof v === "bigint") return Number(v);
        if (typeof v === "string") {
          const n = parseFloatText(v, this.o.decimalSeparator);
          if (n !== undefined) return n;
        }
        return this.fail(path, v, `a ${t.kind}`);
      }
      case "string": {
        const s =
          typeof v === "string"
            ? v
            : typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
              ? String(v)
              : Buffer.isBuffer(v)
                ? this.fail(path, v, "a string")
                : JSON.stringify(v);
        this.size += s.length + 4;
        return s;
      }
      case "bytes":
      case "fixed": {
        if (t.logical === "decimal") {
          this.size += 8;
          return this.decimal(v, t.precision!, t.scale!, path);
        }
        const bytes = Buffer.isBuffer(v)
          ? v
          : typeof v === "string"
            ? Buffer.from(v, "utf8")
            : this.fail(path, v, "bytes");
        if (t.kind === "fixed" && bytes.length !== t.size) this.fail(path, v, `${t.size} bytes`);
        this.size += bytes.length + 4;
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      case "enum":
        if (typeof v !== "string" || !t.symbols.has(v))
          return this.fail(path, v, `one of ${[...t.symbols].join(", ")}`);
        this.size += v.length + 4;
        return encoder.encode(v);
      case "array":
        if (!Array.isArray(v)) return this.fail(path, v, "a list");
        return v.map((item, i) => this.value(t.items, t.nullable, item, `${path}[${i}]`));
      case "map": {
        if (typeof v !== "object" || Array.isArray(v) || Buffer.isBuffer(v))
          return this.fail(path, v, "a struct (map)");
        const out: Record<string, unknown> = {};
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          this.size += k.length + 4;
          out[k] = this.value(t.values, t.nullable, item, `${path}.${k}`);
        }
        return out;
      }
      case "record": {
        if (typeof v !== "object" || Array.isArray(v) || Buffer.isBuffer(v)) return this.fail(path, v, "a struct");
        const row = v as Record<string, unknown>;
        if (this.o.strictSchema) this.checkStrict(t, row, `${path}.`);
        const out: Record<string, unknown> = {};
        for (const f of t.fields)
          out[f.name] = this.field(f, row[f.name], `${path}.${f.name}`, Object.hasOwn(row, f.name));
        return out;
      }
    }
  }

  private fail(path: string, v: unknown, what: string): never {
    throw new ValueError(path, `expected ${what}, got ${preview(v)}`);
  }

  private integer(v: unknown): bigint | undefined {
    return integerOf(v);
  }

  /** The unscaled value of a decimal, rounded half up to `scale` digits. */
  private decimal(v: unknown, precision: number, scale: number, path: string): bigint {
    const d =
      typeof v === "bigint"
        ? { unscaled: v, scale: 0 }
        : typeof v === "number" && Number.isFinite(v)
          ? parseDecimal(String(v))
          : typeof v === "string"
            ? parseDecimal(withPoint(v, this.o.decimalSeparator))
            : undefined;
    if (!d) return this.fail(path, v, "a decimal");
    const unscaled = rescale(d.unscaled, d.scale, scale, "HALF_UP");
    if ((unscaled < 0n ? -unscaled : unscaled).toString().length > precision)
      this.fail(path, v, `a decimal of at most ${precision} digits (scale ${scale})`);
    return unscaled;
  }
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
