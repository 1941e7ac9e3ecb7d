/**
 * Confluent's Protobuf deserializer: after the magic byte and the schema id come the message
 * indexes (a zig-zag varint count, then that many zig-zag varint indexes; a single 0 byte stands
 * for the first message of the file), which name the message type within the registry's `.proto`
 * schema, then the Protobuf binary encoding. Values read as maps with the field names of the
 * schema; enums as their names, 64-bit integers as texts and bytes as Base64 (Protobuf's JSON
 * mapping).
 */
import protobuf from "protobufjs";
import { NonRetryableError, TaskError } from "@saker/sdk";
import { schemaIdOf } from "./confluentAvro.ts";
import type { SchemaRegistry } from "./schemaRegistry.ts";

const HEADER_SIZE = 5;

/** A zig-zag varint at `offset` of `bytes`, and where the next value starts. */
function readZigZag(bytes: Buffer, offset: number, what: string): [number, number] {
  let result = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length && shift <= 28; i++) {
    const byte = bytes[i]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [(result >>> 1) ^ -(result & 1), i + 1];
    shift += 7;
  }
  throw new NonRetryableError(`${what}: its Protobuf message indexes are truncated`);
}

/** The message indexes after the schema id, and where the Protobuf payload starts. */
export function messageIndexes(bytes: Buffer, what: string): { indexes: number[]; payload: number } {
  const [count, afterCount] = readZigZag(bytes, HEADER_SIZE, what);
  if (count === 0) return { indexes: [0], payload: afterCount };
  if (count < 0 || count > 100) throw new NonRetryableError(`${what}: ${count} Protobuf message indexes is not valid`);
  const indexes: number[] = [];
  let offset = afterCount;
  for (let i = 0; i < count; i++) {
    const [index, next] = readZigZag(bytes, offset, what);
    indexes.push(index);
    offset = next;
  }
  return { indexes, payload: offset };
}

/** The messages declared directly in `ns`, in the order of the file. */
function messagesOf(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

/** The message type the indexes name in a parsed schema. */
function typeAt(parsed: protobuf.IParserResult, indexes: number[], id: number, what: string): protobuf.Type {
  let scope: protobuf.NamespaceBase = parsed.package
    ? (parsed.root.lookup(parsed.package)! as protobuf.Namespace)
    : parsed.root;
  let type: protobuf.Type | undefined;
  for (const index of indexes) {
    type = messagesOf(scope)[index];
    if (!type) throw new NonRetryableError(`${what}: schema id ${id} has no message at index ${indexes.join(".")}`);
    scope = type;
  }
  return type!;
}

/** The value of Confluent Protobuf bytes, with the writer's schema from the registry. */
export async function decodeProtobuf(
  registry: SchemaRegistry,
  schemas: Map<number, protobuf.IParserResult>,
  bytes: Buffer,
  what: string,
): Promise<unknown> {
  const id = schemaIdOf(bytes, what);
  let parsed = schemas.get(id);
  if (!parsed) {
    const registered = await registry.schemaById(id).catch((error: unknown) => {
      const message = `${what}: ${(error as Error).message}`;
      throw error instanceof NonRetryableError ? new NonRetryableError(message) : new TaskError(message);
    });
    if (registered.schemaType !== "PROTOBUF")
      throw new NonRetryableError(
        `${what}: schema id ${id} is a schema of type ${registered.schemaType}, not PROTOBUF`,
      );
    try {
      parsed = protobuf.parse(registered.schema, { keepCase: true });
    } catch (error) {
      throw new NonRetryableError(
        `The registry's schema id ${id} is not a valid .proto schema: ${(error as Error).message}`,
      );
    }
    schemas.set(id, parsed);
  }
  const { indexes, payload } = messageIndexes(bytes, what);
  const type = typeAt(parsed, indexes, id, what);
  try {
    const message = type.decode(bytes.subarray(payload));
    return type.toObject(message, { enums: String, longs: String, bytes: String, json: true });
  } catch (error) {
    throw new NonRetryableError(
      `${what} does not decode as ${type.fullName.replace(/^\./, "")} (schema id ${id}): ${(error as Error).message}`,
    );
  }
}
