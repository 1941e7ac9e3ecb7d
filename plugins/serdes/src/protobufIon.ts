/**
 * Protobuf messages decoded with protobufjs from a descriptor set (`protoc --descriptor_set_out`)
 * and written as the Ion Kestra writes: the message's ProtoJSON (Java's `JsonFormat.printer()`:
 * lowerCamelCase names, fields in number order, default values of proto3 fields left out, 64-bit
 * integers as strings, enums by name, well-known types in their JSON forms) read back as JSON values.
 */
import protobuf from "protobufjs";
import descriptorExtension, { type IFileDescriptorSet } from "protobufjs/ext/descriptor.js";
import protojson from "protobufjs/ext/protojson.js";
import { ionFieldName, ionFloat, ionString } from "@saker/sdk/ion";

// CommonJS modules: their exports are the default export's fields for Node's ESM loader
const { FileDescriptorSet } = descriptorExtension;

/** A message that cannot be converted. */
export class ProtobufError extends Error {}

/** The root of a `FileDescriptorSet`'s types; throws a {@link ProtobufError} when it is not one or a type is missing. */
export function loadDescriptorSet(bytes: Uint8Array): protobuf.Root {
  let set: ReturnType<typeof FileDescriptorSet.decode>;
  try {
    set = FileDescriptorSet.decode(bytes);
  } catch (error) {
    throw new ProtobufError(`it is not a descriptor set: ${(error as Error).message}`);
  }
  if (!set.file?.length) throw new ProtobufError("it is not a descriptor set: it describes no file");
  try {
    return protobuf.Root.fromDescriptor(set as unknown as IFileDescriptorSet);
  } catch (error) {
    // a type from a file the set lacks (protoc without --include_imports)
    throw new ProtobufError((error as Error).message);
  }
}

/** The message type of a full name (`com.example.Product`, a leading dot allowed; nested types too), as Kestra finds it. */
export function findMessageType(root: protobuf.Root, name: string): protobuf.Type | undefined {
  let current: protobuf.ReflectionObject | undefined = root;
  for (const part of name.replace(/^\./, "").split(".")) {
    current = current instanceof protobuf.Namespace ? current.nested?.[part] : undefined;
    if (!current) return undefined;
  }
  return current instanceof protobuf.Type ? current : undefined;
}

/** The full names of the message types of a root, for messages. */
export function messageTypeNames(root: protobuf.ReflectionObject): string[] {
  if (!(root instanceof protobuf.Namespace)) return [];
  const own = root instanceof protobuf.Type ? [root.fullName.slice(1)] : [];
  return [...own, ...root.nestedArray.flatMap(messageTypeNames)];
}

/** The field numbers of a message's top-level fields its type does not declare. */
export function unknownFields(type: protobuf.Type, bytes: Uint8Array): number[] {
  const reader = protobuf.Reader.create(bytes);
  const unknown = new Set<number>();
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (!type.fieldsById[tag >>> 3]) unknown.add(tag >>> 3);
    reader.skipType(tag & 7);
  }
  return [...unknown].sort((a, b) => a - b);
}

/** The shortest decimal of a 32-bit float, as Java's `Float.toString` prints it and Jackson reads it back as a double. */
function floatValue(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(value.toPrecision(digits));
    if (Math.fround(shortest) === value) return shortest;
  }
  return value;
}

/** A non-finite float or double, which ProtoJSON writes as a string. */
const floatIon = (value: number) =>
  Number.isFinite(value)
    ? ionFloat(value)
    : ionString(Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

const LONGS = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);
const longKey = (protobuf.util as unknown as { longFromKey(key: string, unsigned: boolean): { toString(): string } })
  .longFromKey;

/** Whether a proto3 field without presence holds its default value (then Java does not print it). */
function implicitDefault(field: protobuf.Field, value: unknown): boolean {
  if (field.hasPresence || field.resolvedType instanceof protobuf.Type) return false;
  if (field.resolvedType instanceof protobuf.Enum) return value === 0;
  if (field.type === "bool") return value === false;
  if (field.type === "string") return value === "";
  if (field.type === "bytes") return (value as Uint8Array).length === 0;
  return String(value) === "0";
}

/** Converts decoded messages to Ion text, one type's messages (and the types they hold) at a time. */
export class MessageIon {
  constructor(private readonly root: protobuf.Root) {}

  /** The Ion of a message, or undefined when it has no field set (Kestra writes no record then). */
  message(type: protobuf.Type, message: protobuf.Message): string | undefined {
    const text = this.value(type, message, 0);
    return text === "{}" ? undefined : text;
  }

  private value(type: protobuf.Type, message: protobuf.Message, depth: number): string {
    if (depth > 100) throw new ProtobufError("messages nested deeper than 100 levels");
    const wellKnown = this.wellKnown(type, message, depth);
    if (wellKnown !== undefined) return wellKnown;
    const record = message as unknown as Record<string, unknown>;
    const fields: string[] = [];
    for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
      field.resolve();
      const value = record[field.name];
      if (value === null || value === undefined) continue;
      let text: string;
      if (field instanceof protobuf.MapField) {
        const keys = Object.keys(value as object);
        if (keys.length === 0) continue;
        const entries = keys.map((key) => {
          const name = LONGS.has(field.keyType)
            ? longKey(key, field.keyType.startsWith("u") || field.keyType === "fixed64").toString()
            : key;
          return `${ionFieldName(name)}:${this.single(field, (value as Record<string, unknown>)[key], depth)}`;
        });
        text = `{${entries.join(",")}}`;
      } else if (field.repeated) {
        const items = value as unknown[];
        if (items.length === 0) continue;
        text = `[${items.map((item) => this.single(field, item, depth)).join(",")}]`;
      } else {
        if (!Object.hasOwn(record, field.name) || implicitDefault(field, value)) continue;
        text = this.single(field, value, depth);
      }
      fields.push(`${ionFieldName(field.jsonName ?? protobuf.util.jsonName(field.name))}:${text}`);
    }
    return `{${fields.join(",")}}`;
  }

  /** One value of a field (an item of a repeated field, a map value). */
  private single(field: protobuf.Field, value: unknown, depth: number): string {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.value(resolved, value as protobuf.Message, depth + 1);
    if (resolved instanceof protobuf.Enum) {
      if (resolved.fullName === ".google.protobuf.NullValue") return "null";
      const name = resolved.valuesById[value as number];
      return name === undefined ? String(value) : ionString(name);
    }
    switch (field.type) {
      case "double":
        return floatIon(value as number);
      case "float":
        return floatIon(floatValue(value as number));
      case "bool":
        return value ? "true" : "false";
      case "string":
        return ionString(value as string);
      case "bytes":
        return ionString(Buffer.from(value as Uint8Array).toString("base64"));
      default:
        return LONGS.has(field.type) ? ionString(String(value)) : String(value);
    }
  }

  /** The JSON forms of the well-known types, or undefined for any other type. */
  private wellKnown(type: protobuf.Type, message: protobuf.Message, depth: number): string | undefined {
    const record = message as unknown as Record<string, unknown>;
    switch (type.fullName) {
      case ".google.protobuf.Timestamp":
      case ".google.protobuf.Duration":
      case ".google.protobuf.FieldMask":
        try {
          return ionString(protojson.toJson(type, message) as string);
        } catch (error) {
          throw new ProtobufError(`${type.fullName.slice(1)}: ${(error as Error).message}`);
        }
      case ".google.protobuf.Struct":
        return this.struct(record.fields as Record<string, unknown> | undefined, depth);
      case ".google.protobuf.ListValue":
        return `[${((record.values as unknown[] | undefined) ?? []).map((v) => this.json(v, depth)).join(",")}]`;
      case ".google.protobuf.Value":
        return this.json(message, depth);
      case ".google.protobuf.Empty":
        return "{}";
      case ".google.protobuf.Any":
        return this.any(record, depth);
      default:
    }
    if (/^\.google\.protobuf\.(Double|Float|U?Int(32|64)|Bool|String|Bytes)Value$/.test(type.fullName)) {
      const field = type.fields.value!.resolve();
      return this.single(field, record.value ?? field.defaultValue, depth);
    }
    return undefined;
  }

  /** A `google.protobuf.Value`: numbers are doubles in ProtoJSON. */
  private json(value: unknown, depth: number): string {
    const v = value as Record<string, unknown> | null | undefined;
    if (!v || Object.hasOwn(v, "nullValue")) return "null";
    if (Object.hasOwn(v, "numberValue")) {
      const n = v.numberValue as number;
      if (!Number.isFinite(n))
        throw new ProtobufError("a google.protobuf.Value cannot hold a number that is not finite");
      return ionFloat(n);
    }
    if (Object.hasOwn(v, "stringValue")) return ionString(v.stringValue as string);
    if (Object.hasOwn(v, "boolValue")) return v.boolValue ? "true" : "false";
    if (Object.hasOwn(v, "structValue"))
      return this.struct((v.structValue as Record<string, unknown>).fields as Record<string, unknown>, depth + 1);
    if (Object.hasOwn(v, "listValue"))
      return `[${(((v.listValue as Record<string, unknown>).values as unknown[]) ?? []).map((x) => this.json(x, depth + 1)).join(",")}]`;
    return "null";
  }

  private struct(fields: Record<string, unknown> | undefined, depth: number): string {
    return `{${Object.keys(fields ?? {})
      .map((key) => `${ionFieldName(key)}:${this.json(fields![key], depth + 1)}`)
      .join(",")}}`;
  }

  /** A `google.protobuf.Any`: its `@type` and the fields of the message it packs (a type of the descriptor set). */
  private any(record: Record<string, unknown>, depth: number): string {
    const url = (record.typeUrl ?? record.type_url) as string | undefined;
    if (!url) return "{}";
    const packed = findMessageType(this.root, url.slice(url.lastIndexOf("/") + 1));
    if (!packed) throw new ProtobufError(`cannot find the type of google.protobuf.Any ${url} in the descriptor set`);
    const inner = packed.decode((record.value as Uint8Array | undefined) ?? new Uint8Array());
    const typeField = `${ionFieldName("@type")}:${ionString(url)}`;
    const wellKnown = this.wellKnown(packed, inner, depth + 1);
    if (wellKnown !== undefined) return `{${typeField},value:${wellKnown}}`;
    const body = this.value(packed, inner, depth + 1);
    return body === "{}" ? `{${typeField}}` : `{${typeField},${body.slice(1)}`;
  }
}
