/** Kestra's Kafka tasks (`io.kestra.plugin.kafka.*`): Produce and Consume. */
import { randomUUID } from "node:crypto";
import type { Message } from "kafkajs";
import { NonRetryableError, anyValue, defineTask, duration, map, z } from "@saker/sdk";
import { readFrom, withDeadline } from "../core/index.ts";
import { kafkaClient, kafkaError } from "./client.ts";
import { CONFLUENT_REGISTRY, kafkaCodec } from "./codecs.ts";
import { consumeBatch } from "./consume.ts";
import { outgoingRecord } from "./records.ts";
import { KAFKA_SERDES, checkSerde } from "./serdes.ts";

export const PREFIX = "io.kestra.plugin.kafka";

const properties = map(z.union([z.string(), z.number(), z.boolean()]).transform(String)).describe(
  "Kafka client properties; `bootstrap.servers` is required.",
);
const serdeProperties = map(z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .default({})
  .describe(
    "Serializer properties: `schema.registry.url` for AVRO, and Confluent's `basic.auth.user.info`, `auto.register.schemas`, `use.latest.version`, `key.subject.name.strategy`, `value.subject.name.strategy`.",
  );
const schemaRegistryVendor = z
  .object({ type: z.string(), schemaRegistryUrl: z.string().optional() })
  .optional()
  .describe(`The schema registry of AVRO: type ${CONFLUENT_REGISTRY} with schemaRegistryUrl.`);
const serde = (what: string) => z.enum(KAFKA_SERDES).default("STRING").describe(what);

/** What Consume and the two triggers share. */
export const consumeShape = {
  properties,
  serdeProperties,
  topic: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe("The topic(s) to consume; or topicPattern."),
  topicPattern: z.string().optional().describe("A regular expression of the topics to consume."),
  groupId: z.string().optional().describe("The consumer group; offsets are committed only with one."),
  groupType: z.enum(["CONSUMER", "SHARE"]).optional().describe("Only CONSUMER (the default) is supported."),
  partitions: z.array(z.number().int()).optional().describe("Not supported by Saker."),
  since: z.string().optional().describe("Not supported by Saker."),
  keyDeserializer: serde("How keys are read."),
  valueDeserializer: serde("How values are read."),
  headerFilters: map(z.string()).optional().describe("Only records whose headers have these values."),
  onSerdeError: anyValue().optional().describe("Not supported by Saker: a record that cannot be read fails the task."),
  schemaRegistryVendor,
};

export const stopShape = {
  pollDuration: duration().prefault("PT5S").describe("Stop when no record came for this long."),
  maxRecords: z.number().int().positive().optional().describe("Stop after this many records."),
  maxDuration: duration().optional().describe("Stop after this duration."),
};

const Produce = defineTask({
  type: `${PREFIX}.Produce`,
  title: "Send records to Kafka",
  description:
    "Sends each item of `from` (a map, a list of maps, or a kestra:// Ion file of them) with `key`, `value` and optional `topic`, `partition`, `timestamp`, `headers`; in one transaction unless `transactional: false`.",
  examples: [
    {
      title: "Send a string",
      code: `id: produce\ntype: ${PREFIX}.Produce\nproperties:\n  bootstrap.servers: localhost:9092\ntopic: example_topic\nfrom:\n  key: "{{ execution.id }}"\n  value: Hello, World!\n  headers:\n    x-header: some value\nkeySerializer: STRING\nvalueSerializer: STRING`,
    },
  ],
  properties: z.object({
    properties,
    serdeProperties,
    topic: z.string().optional().describe("The topic, unless each record names its own."),
    from: anyValue().describe("The record(s) to send."),
    keySerializer: serde("How keys are written."),
    valueSerializer: serde("How values are written."),
    keyAvroSchema: z.string().optional().describe("The Avro schema of the keys, when keySerializer is AVRO."),
    valueAvroSchema: z.string().optional().describe("The Avro schema of the values, when valueSerializer is AVRO."),
    schemaRegistryVendor,
    transactional: z.boolean().default(true).describe("Send every record in one transaction."),
  }),
  outputs: z.object({ messagesCount: z.number().describe("Number of records sent.") }),
  async run(props, ctx) {
    if (props.from === undefined || props.from === null) throw new NonRetryableError("from is required");
    checkSerde(props.keySerializer, "keySerializer");
    checkSerde(props.valueSerializer, "valueSerializer");
    const codec = (side: "key" | "value") =>
      kafkaCodec(props[`${side}Serializer`], side, `${side}Serializer`, {
        serdeProperties: props.serdeProperties,
        schemaRegistryVendor: props.schemaRegistryVendor,
        avroSchema: props[`${side}AvroSchema`],
        signal: ctx.signal,
        outbound: ctx,
      });
    const keyCodec = await codec("key");
    const valueCodec = await codec("value");
    const { kafka, settings } = await kafkaClient(props.properties, ctx.logger);
    const producer = kafka.producer({
      metadataMaxAge: settings.metadataMaxAge,
      ...(props.transactional
        ? { transactionalId: `saker-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 }
        : { allowAutoTopicCreation: false }),
    });
    let count = 0;
    try {
      // kafkajs retries on its own and takes no signal: the task's stop must not wait for it.
      await withDeadline(producer.connect(), { ms: 30_000, signal: ctx.signal, what: "Connecting to Kafka" });
      const transaction = props.transactional ? await producer.transaction() : undefined;
      const sender = transaction ?? producer;
      try {
        let pending: { topic: string; messages: Message[] }[] = [];
        const flush = async () => {
          if (pending.length > 0) await sender.sendBatch({ topicMessages: pending });
          pending = [];
        };
        for await (const item of readFrom(props.from, ctx.storage)) {
          ctx.signal.throwIfAborted();
          const { topic, message } = await outgoingRecord(item, props.topic, keyCodec, valueCodec, count);
          const group = pending.find((p) => p.topic === topic);
          if (group) group.messages.push(message);
          else pending.push({ topic, messages: [message] });
          if (++count % 500 === 0) await flush();
        }
        await flush();
        await transaction?.commit();
      } catch (error) {
        await transaction?.abort().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw kafkaError(error, "Producing to Kafka", settings);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    ctx.metric({ name: "records", type: "counter", value: count });
    return { messagesCount: count };
  },
});

const Consume = defineTask({
  type: `${PREFIX}.Consume`,
  title: "Consume records from Kafka",
  description:
    "Consumes `topic` (or `topicPattern`) until no record came for `pollDuration`, or `maxRecords`, or `maxDuration`; stores the records as an Ion file, then commits their offsets when a `groupId` is set.",
  examples: [
    {
      title: "JSON records of a topic",
      code: `id: consume\ntype: ${PREFIX}.Consume\nproperties:\n  bootstrap.servers: localhost:9092\n  auto.offset.reset: earliest\ntopic: orders\ngroupId: kestra\nvalueDeserializer: JSON\nmaxRecords: 50`,
    },
  ],
  properties: z.object({ ...consumeShape, ...stopShape }),
  outputs: z.object({
    messagesCount: z.number().describe("Number of records consumed."),
    uri: z.string().describe("The Ion file of the records."),
  }),
  async run(props, ctx) {
    const result = await consumeBatch(props, ctx);
    ctx.metric({ name: "records", type: "counter", value: result.messagesCount });
    return result;
  },
});

export const kafkaTasks = [Produce, Consume];
