/**
 * Confluent's Avro serializer and deserializer: a record's bytes are the magic byte 0, the
 * schema's registry id (4 bytes, big-endian) and the Avro binary encoding. The producer registers
 * (or looks up) its schema under the subject of the topic; the consumer decodes with the schema
 * the id names, fetched from the registry.
 */
import avro from "avsc";
import { NonRetryableError, TaskError } from "@saker/sdk";
import type { SchemaRegistry } from "./schemaRegistry.ts";

const MAGIC_BYTE = 0;
const HEADER_SIZE = 5;

/** The schema id of Confluent-framed bytes; an error naming the record when they are not framed. */
export function schemaIdOf(bytes: Buffer, what: string): number {
  if (bytes.length < HEADER_SIZE || bytes[0] !== MAGIC_BYTE)
    throw new NonRetryableError(
      `${what} is not in the schema registry's wire format (the magic byte 0, then a 4-byte schema id)`,
    );
  return bytes.readInt32BE(1);
}

/** The magic byte and the schema id before `payload`. */
export function framed(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
}

/** An Avro type of a schema text; `property` names where the text came from. */
export function avroType(schemaText: string, property: string): avro.Type {
  try {
    return avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema);
  } catch (error) {
    throw new NonRetryableError(`${property} is not a valid Avro schema: ${(error as Error).message}`);
  }
}

/** The first place where `value` does not fit `type`, or undefined when it fits. */
export function avroMismatch(type: avro.Type, value: unknown): string | undefined {
  let found: string | undefined;
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path, val, at) => {
      if (found !== undefined) return;
      const where = path.length > 0 ? `field ${path.join(".")}` : "the value";
      const expected = at.name ?? at.typeName;
      found =
        val === undefined
          ? `${where} is missing (${expected})`
          : `${where}: expected ${expected}, got ${describe(val)}`;
    },
  });
  if (found === undefined && !type.isValid(value)) found = "the value does not fit the schema";
  return found;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Buffer.isBuffer(value)) return "bytes";
  if (typeof value === "object")
    return Array.isArray(value) ? "a list" : `a map of ${Object.keys(value).join(", ") || "no fields"}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Bytes for `value` under schema `id`, or an error naming the record and the mismatch. */
export function encodeAvro(type: avro.Type, id: number, value: unknown, what: string): Buffer {
  const mismatch = avroMismatch(type, value);
  if (mismatch !== undefined)
    throw new NonRetryableError(
      `${what} does not match the Avro schema${type.name ? ` ${type.name}` : ""}: ${mismatch}`,
    );
  return framed(id, type.toBuffer(value));
}

/** The value of Confluent Avro bytes, with the writer's schema from the registry. */
export async function decodeAvro(
  registry: SchemaRegistry,
  types: Map<number, avro.Type>,
  bytes: Buffer,
  what: string,
): Promise<unknown> {
  const id = schemaIdOf(bytes, what);
  let type = types.get(id);
  if (!type) {
    const registered = await registry.schemaById(id).catch((error: unknown) => {
      throw naming(error, what);
    });
    if (registered.schemaType !== "AVRO")
      throw new NonRetryableError(`${what}: schema id ${id} is a schema of type ${registered.schemaType}, not AVRO`);
    type = avroType(registered.schema, `The registry's schema id ${id}`);
    types.set(id, type);
  }
  try {
    return plain(type.fromBuffer(bytes.subarray(HEADER_SIZE)));
  } catch (error) {
    throw new NonRetryableError(`${what} does not decode with Avro schema id ${id}: ${(error as Error).message}`);
  }
}

/** A registry error prefixed with the record it was fetching a schema for, of the same kind. */
function naming(error: unknown, what: string): Error {
  const message = `${what}: ${(error as Error).message}`;
  if (error instanceof NonRetryableError) return new NonRetryableError(message);
  if (error instanceof TaskError) return new TaskError(message);
  return error as Error;
}

/** avsc's record instances as plain maps (bytes and fixed stay bytes), for Ion files and expressions. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}
