/**
 * Avro types as avsc builds them for the Avro tasks: unions are always wrapped (`{branch: value}`),
 * so a value says which branch it is; longs are numbers, or bigints past 2^53; logical types are
 * kept as markers over their underlying type (the conversions are ours, in avroValues.ts).
 */
import avro from "avsc";
import { LOGICAL_BASES } from "./schemaValues.ts";

/** The parts of avsc's Type objects that the conversions read. */
export interface AvroType {
  readonly typeName: string;
  readonly branchName?: string;
  readonly name?: string;
  readonly fields?: readonly AvroField[];
  readonly itemsType?: AvroType;
  readonly valuesType?: AvroType;
  readonly types?: readonly AvroType[];
  readonly symbols?: readonly string[];
  readonly size?: number;
  readonly underlyingType?: AvroType;
  /** The logical type name, on our marker types. */
  readonly kind?: string;
  readonly precision?: number;
  readonly scale?: number;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly aliases: readonly string[];
}

type Schema = Record<string, unknown>;

const UNDERLYING: Record<string, readonly string[]> = LOGICAL_BASES;

/**
 * A logical type that keeps values as its underlying type holds them. Its constructor throws on a
 * logical type that does not apply (wrong underlying type, bad precision): avsc then uses the
 * underlying type alone, as the Avro specification says and as Java Avro does.
 */
class Marker extends avro.types.LogicalType {
  readonly kind: string;
  readonly precision?: number;
  readonly scale?: number;

  constructor(schema: Schema, opts?: unknown) {
    super(schema as never, opts);
    this.kind = String(schema.logicalType);
    const base = (this as unknown as AvroType).underlyingType!;
    if (!UNDERLYING[this.kind]?.includes(base.typeName)) throw new Error(`${this.kind} does not apply`);
    if (this.kind === "decimal") {
      const precision = schema.precision;
      const scale = schema.scale ?? 0;
      if (typeof precision !== "number" || !Number.isInteger(precision) || precision < 1)
        throw new Error("bad precision");
      if (typeof scale !== "number" || !Number.isInteger(scale) || scale < 0 || scale > precision)
        throw new Error("bad scale");
      if (base.typeName === "fixed" && precision > Math.floor(Math.log10(2) * (8 * base.size! - 1)))
        throw new Error("precision too large for the fixed size");
      this.precision = precision;
      this.scale = scale;
    }
  }

  override _fromValue(value: unknown): unknown {
    return value;
  }

  override _toValue(value: unknown): unknown {
    return value;
  }

  /** Writes precision and scale back into the schema avsc exports (the file header's schema). */
  override _export(schema: unknown): void {
    const attrs = schema as Record<string, unknown>;
    if (this.kind === "decimal") {
      attrs.precision = this.precision;
      attrs.scale = this.scale;
    }
  }

  override _resolve(type: AvroType): ((value: unknown) => unknown) | undefined {
    return type.typeName === (this as unknown as AvroType).underlyingType!.typeName ? (v) => v : undefined;
  }
}

const LOGICAL = Object.fromEntries(Object.keys(UNDERLYING).map((k) => [k, Marker]));

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** Longs as numbers while they are safe integers, bigints beyond (avsc's own long refuses those). */
const longType = avro.types.LongType.__with({
  fromBuffer(buf: Buffer): number | bigint {
    const n = buf.readBigInt64LE();
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  },
  toBuffer(n: number | bigint): Buffer {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON(n: unknown): number | bigint {
    return typeof n === "bigint" ? n : Number(n);
  },
  toJSON(n: number | bigint): number {
    return Number(n);
  },
  isValid(n: unknown): boolean {
    if (typeof n === "number") return Number.isSafeInteger(n);
    return typeof n === "bigint" && n >= MIN_LONG && n <= MAX_LONG;
  },
  compare(a: number | bigint, b: number | bigint): number {
    return a < b ? -1 : a > b ? 1 : 0;
  },
});

/** The avsc type of a parsed schema; throws avsc's error on an invalid one. */
export function avroType(schema: unknown): AvroType {
  // avsc adds the schema's named types to the registry: a new one each time.
  const options = { wrapUnions: true, logicalTypes: LOGICAL, registry: { long: longType } };
  return avro.Type.forSchema(schema as never, options as never) as unknown as AvroType;
}

/** avsc's BlockDecoder `parseHook`: the writer schema of a file, as {@link avroType} builds it. */
export const parseHook = (schema: unknown) => avroType(schema) as never;

export { preview } from "./schemaValues.ts";

/** A short name of a type for messages: `int`, `record Ride`, `timestamp-millis`, `union [null, double]`. */
export function typeLabel(type: AvroType): string {
  if (type.kind) return type.kind;
  switch (type.typeName) {
    case "record":
    case "error":
    case "enum":
    case "fixed":
      return `${type.typeName} ${type.name}`;
    case "union:wrapped":
      return `union [${type.types!.map(typeLabel).join(", ")}]`;
    default:
      return type.typeName;
  }
}
