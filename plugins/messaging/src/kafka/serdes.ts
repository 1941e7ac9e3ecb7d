/**
 * Kestra's Kafka serializer types, as the Java client's serializers lay the bytes out, so that
 * records interoperate with Kestra and other Java producers and consumers: STRING (UTF-8), JSON,
 * the fixed-size big-endian numbers (SHORT, INTEGER, LONG, FLOAT, DOUBLE), UUID (its text), raw
 * bytes (BYTES, BYTE_ARRAY, BYTE_BUFFER) and VOID. AVRO and PROTOBUF go through a schema
 * registry (`codecs.ts`); PROTOBUF only reads: choosing it to write is an error that says so.
 */
import { NonRetryableError } from "@saker/sdk";

export const KAFKA_SERDES = [
  "STRING",
  "INTEGER",
  "FLOAT",
  "DOUBLE",
  "LONG",
  "SHORT",
  "BYTE_ARRAY",
  "BYTE_BUFFER",
  "BYTES",
  "UUID",
  "VOID",
  "AVRO",
  "JSON",
  "PROTOBUF",
] as const;
export type KafkaSerde = (typeof KAFKA_SERDES)[number];

/** Serdes whose bytes need a schema registry: see `codecs.ts`. */
const REGISTRY = new Set<KafkaSerde>(["AVRO", "PROTOBUF"]);
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws when Saker cannot (de)serialize with `serde`; `property` names the property that chose it. */
export function checkSerde(serde: KafkaSerde, property: string): void {
  if (serde === "PROTOBUF" && !/deserializer/i.test(property))
    throw new NonRetryableError(
      `${property}: PROTOBUF is supported for reading only (keyDeserializer, valueDeserializer); write with AVRO, JSON, STRING, BYTES or a number type`,
    );
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function numberOf(value: unknown, serde: KafkaSerde, what: string): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || Number.isNaN(n))
    throw new NonRetryableError(`${what}: ${serde} needs a number, got ${JSON.stringify(value)}`);
  return n;
}

/** The bytes of a key or value (null stays null: a tombstone or a record without key). */
export function serialize(value: unknown, serde: KafkaSerde, what: string): Buffer | null {
  if (REGISTRY.has(serde)) throw new NonRetryableError(`${what}: ${serde} needs a schema registry codec`);
  if (value === null || value === undefined || serde === "VOID") return null;
  switch (serde) {
    case "STRING":
      return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
    case "JSON":
      return Buffer.from(JSON.stringify(value), "utf8");
    case "SHORT":
    case "INTEGER":
    case "FLOAT":
    case "DOUBLE":
      return fixedNumber(numberOf(value, serde, what), serde, what);
    case "LONG": {
      const buffer = Buffer.alloc(8);
      let big: bigint;
      try {
        big = typeof value === "bigint" ? value : BigInt(typeof value === "number" ? Math.trunc(value) : String(value));
      } catch {
        throw new NonRetryableError(`${what}: LONG needs an integer, got ${JSON.stringify(value)}`);
      }
      buffer.writeBigInt64BE(big);
      return buffer;
    }
    case "UUID": {
      const text = String(value);
      if (!UUID_TEXT.test(text))
        throw new NonRetryableError(`${what}: UUID needs a UUID text, got ${JSON.stringify(value)}`);
      return Buffer.from(text, "utf8");
    }
    default:
      // BYTES, BYTE_ARRAY, BYTE_BUFFER: bytes as they are, text as Base64.
      if (isBytes(value)) return Buffer.from(value);
      if (typeof value === "string") return Buffer.from(value, "base64");
      throw new NonRetryableError(`${what}: ${serde} needs bytes or Base64 text`);
  }
}

function fixedNumber(n: number, serde: KafkaSerde, what: string): Buffer {
  const sizes: Partial<Record<KafkaSerde, number>> = { SHORT: 2, INTEGER: 4, FLOAT: 4, DOUBLE: 8 };
  const buffer = Buffer.alloc(sizes[serde]!);
  if (serde === "FLOAT") buffer.writeFloatBE(n);
  else if (serde === "DOUBLE") buffer.writeDoubleBE(n);
  else {
    if (!Number.isInteger(n)) throw new NonRetryableError(`${what}: ${serde} needs an integer, got ${n}`);
    try {
      if (serde === "SHORT") buffer.writeInt16BE(n);
      else buffer.writeInt32BE(n);
    } catch {
      throw new NonRetryableError(`${what}: ${n} is out of the range of ${serde}`);
    }
  }
  return buffer;
}

/** The value of a key or value's bytes; `what` names the record in an error (bytes that are not JSON…). */
export function deserialize(bytes: Buffer | null, serde: KafkaSerde, what: string): unknown {
  if (REGISTRY.has(serde)) throw new NonRetryableError(`${what}: ${serde} needs a schema registry codec`);
  if (bytes === null || serde === "VOID") return null;
  switch (serde) {
    case "STRING":
    case "UUID":
      return bytes.toString("utf8");
    case "JSON":
      try {
        return JSON.parse(bytes.toString("utf8")) as unknown;
      } catch (error) {
        throw new NonRetryableError(`${what} is not valid JSON (JSON deserializer): ${(error as Error).message}`);
      }
    case "SHORT":
      return sized(bytes, 2, serde, what).readInt16BE();
    case "INTEGER":
      return sized(bytes, 4, serde, what).readInt32BE();
    case "FLOAT":
      return sized(bytes, 4, serde, what).readFloatBE();
    case "DOUBLE":
      return sized(bytes, 8, serde, what).readDoubleBE();
    case "LONG": {
      const big = sized(bytes, 8, serde, what).readBigInt64BE();
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    default:
      return bytes;
  }
}

function sized(bytes: Buffer, size: number, serde: KafkaSerde, what: string): Buffer {
  if (bytes.length !== size) throw new NonRetryableError(`${what}: ${serde} needs ${size} bytes, got ${bytes.length}`);
  return bytes;
}
