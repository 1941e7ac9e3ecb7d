/**
 * How one side (key or value) of a task's records is written and read: the fixed serdes of
 * `serdes.ts`, or AVRO (both ways) and PROTOBUF (read only, as Kestra's Produce has no Protobuf
 * schema) through a Confluent schema registry, whose URL comes from
 * `serdeProperties` (`schema.registry.url`, as Kestra's `Produce` documents) or from
 * `schemaRegistryVendor` (`type: io.kestra.plugin.kafka.registry.ConfluentSchemaRegistry`,
 * `schemaRegistryUrl`). The Confluent serializer settings Saker reads: `basic.auth.user.info`
 * (with `basic.auth.credentials.source: USER_INFO`), `auto.register.schemas` (true),
 * `use.latest.version` (false) and `key|value.subject.name.strategy` (TopicNameStrategy).
 */
import type avro from "avsc";
import type protobuf from "protobufjs";
import { NonRetryableError } from "@saker/sdk";
import { checkBrokerHost, hostOf, type BrokerContext } from "../core/outbound.ts";
import { SchemaRegistry } from "./schemaRegistry.ts";
import { checkSerde, deserialize, serialize, type KafkaSerde } from "./serdes.ts";

export interface KafkaCodec {
  /** Bytes of a key or value for `topic` (null stays null). */
  encode(value: unknown, topic: string, what: string): Promise<Buffer | null>;
  /** The value of a key's or value's bytes. */
  decode(bytes: Buffer | null, what: string): Promise<unknown>;
}

export type Side = "key" | "value";

export interface CodecOptions {
  serdeProperties?: Readonly<Record<string, string>> | undefined;
  schemaRegistryVendor?: unknown;
  /** `keyAvroSchema` / `valueAvroSchema`: what a producer writes with. */
  avroSchema?: string | undefined;
  signal: AbortSignal;
  /** The outbound-address policy to check the registry's host against. */
  outbound?: BrokerContext | undefined;
}

export const CONFLUENT_REGISTRY = "io.kestra.plugin.kafka.registry.ConfluentSchemaRegistry";

/** A codec of one of the fixed serdes, which need no registry. */
export function fixedCodec(serde: KafkaSerde): KafkaCodec {
  return {
    encode: (value, _topic, what) => Promise.resolve(serialize(value, serde, what)),
    decode: (bytes, what) => Promise.resolve(deserialize(bytes, serde, what)),
  };
}

/**
 * The codec of `serde` for the `side` of the records; `property` (`valueSerializer`…) names it in
 * errors. For AVRO the registry's URL is checked here, before any broker is contacted.
 */
export async function kafkaCodec(
  serde: KafkaSerde,
  side: Side,
  property: string,
  options: CodecOptions,
): Promise<KafkaCodec> {
  if (serde !== "AVRO" && serde !== "PROTOBUF") return fixedCodec(serde);
  checkSerde(serde, property);
  const settings = registrySettings(options, property, serde);
  if (options.outbound) await checkBrokerHost(options.outbound, hostOf(settings.url), "schema.registry.url");
  const registry = new SchemaRegistry(settings.url, options.signal, settings.userInfo);
  if (serde === "PROTOBUF") {
    // the codecs' libraries (protobufjs, avsc) load with the first codec that needs them
    const { decodeProtobuf } = await import("./confluentProtobuf.ts");
    const schemas = new Map<number, protobuf.IParserResult>();
    return {
      encode: () => Promise.reject(new NonRetryableError(`${property}: PROTOBUF is supported for reading only`)),
      decode: (bytes, what) =>
        bytes === null ? Promise.resolve(null) : decodeProtobuf(registry, schemas, bytes, what),
    };
  }
  const { avroType, decodeAvro, encodeAvro } = await import("./confluentAvro.ts");
  const writer = options.avroSchema !== undefined ? avroType(options.avroSchema, `${side}AvroSchema`) : undefined;
  const schemaText = options.avroSchema !== undefined ? JSON.stringify(JSON.parse(options.avroSchema)) : undefined;
  const readers = new Map<number, avro.Type>();
  const strategy = options.serdeProperties?.[`${side}.subject.name.strategy`] ?? "TopicNameStrategy";
  const readerOf = (id: number, text: string) => {
    let type = readers.get(id);
    if (!type) readers.set(id, (type = avroType(text, `The registry's schema id ${id}`)));
    return type;
  };
  return {
    async encode(value, topic, what) {
      if (value === null || value === undefined) return null;
      if (settings.mode === "latest") {
        // Confluent's use.latest.version: write with the subject's latest schema, whatever it is.
        const latest = await registry.idFor(subjectName(strategy, topic, side, writer), "", "AVRO", "latest");
        return encodeAvro(readerOf(latest.id, latest.schema), latest.id, value, what);
      }
      if (!writer || schemaText === undefined)
        throw new NonRetryableError(`${side}AvroSchema is required when ${property} is AVRO`);
      const { id } = await registry.idFor(
        subjectName(strategy, topic, side, writer),
        schemaText,
        "AVRO",
        settings.mode,
      );
      return encodeAvro(writer, id, value, what);
    },
    decode: (bytes, what) => (bytes === null ? Promise.resolve(null) : decodeAvro(registry, readers, bytes, what)),
  };
}

interface RegistrySettings {
  url: string;
  userInfo?: string;
  mode: "register" | "lookup" | "latest";
}

function registrySettings(options: CodecOptions, property: string, serde: KafkaSerde): RegistrySettings {
  const props = options.serdeProperties ?? {};
  const vendor = options.schemaRegistryVendor as { type?: unknown; schemaRegistryUrl?: unknown } | undefined;
  if (vendor !== undefined && vendor !== null && vendor.type !== CONFLUENT_REGISTRY)
    throw new NonRetryableError(
      `schemaRegistryVendor: only ${CONFLUENT_REGISTRY} is supported by Saker's Kafka plugin, got ${String(vendor.type)}`,
    );
  const fromVendor = typeof vendor?.schemaRegistryUrl === "string" ? vendor.schemaRegistryUrl : undefined;
  // Confluent takes a comma-separated list of registries: the first one is used.
  const url = (fromVendor ?? props["schema.registry.url"])?.split(",")[0]?.trim();
  if (!url)
    throw new NonRetryableError(
      `${property} ${serde} needs a schema registry: set serdeProperties.schema.registry.url (or schemaRegistryVendor)`,
    );
  const source = (props["basic.auth.credentials.source"] ?? "URL").toUpperCase();
  const userInfo = source === "USER_INFO" ? props["basic.auth.user.info"] : undefined;
  if (source === "USER_INFO" && !userInfo)
    throw new NonRetryableError(
      "serdeProperties.basic.auth.user.info (user:password) is required with basic.auth.credentials.source USER_INFO",
    );
  const flag = (name: string, fallback: boolean) => {
    const value = props[name];
    return value === undefined ? fallback : value.toLowerCase() === "true";
  };
  const mode = flag("use.latest.version", false)
    ? "latest"
    : flag("auto.register.schemas", true)
      ? "register"
      : "lookup";
  return { url, ...(userInfo ? { userInfo } : {}), mode };
}

/** Confluent's subject name strategies (the class name, or its last part). */
function subjectName(strategy: string, topic: string, side: Side, type: avro.Type | undefined): string {
  const name = strategy.slice(strategy.lastIndexOf(".") + 1);
  if (name === "TopicNameStrategy") return `${topic}-${side}`;
  if (!type?.name)
    throw new NonRetryableError(
      `${side}.subject.name.strategy ${name} needs a named Avro type (a record, enum or fixed)`,
    );
  if (name === "RecordNameStrategy") return type.name;
  if (name === "TopicRecordNameStrategy") return `${topic}-${type.name}`;
  throw new NonRetryableError(
    `${side}.subject.name.strategy must be TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy, got '${strategy}'`,
  );
}
