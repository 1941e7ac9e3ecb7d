/**
 * Kestra's Kafka triggers: `Trigger` (polling: one execution per batch, `trigger.uri` and
 * `trigger.messagesCount`) and `RealtimeTrigger` (one execution per record, `trigger.key`,
 * `trigger.value`…; its offset committed once the execution is stored).
 */
import { defineTrigger, duration, z } from "@saker/sdk";
import { executionForBatch } from "../core/batchTrigger.ts";
import { consumeBatch, listenKafka } from "./consume.ts";
import { PREFIX, consumeShape, stopShape } from "./tasks.ts";

const Trigger = defineTrigger({
  type: `${PREFIX}.Trigger`,
  triggerKind: "polling",
  title: "Start an execution per batch of Kafka records",
  description:
    "Every `interval`, consumes like the Consume task and starts one execution when records came, with `trigger.messagesCount` and `trigger.uri`.",
  examples: [
    {
      title: "Batches of orders",
      full: true,
      code: `id: kafka_batch\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.messagesCount }} records"\ntriggers:\n  - id: orders\n    type: ${PREFIX}.Trigger\n    properties:\n      bootstrap.servers: localhost:9092\n    topic: orders\n    groupId: kestra\n    maxRecords: 100`,
    },
  ],
  properties: z.object({
    ...consumeShape,
    ...stopShape,
    interval: duration().prefault("PT1M").describe("Time between two polls."),
  }),
  outputs: z.object({ messagesCount: z.number(), uri: z.string() }),
  async evaluate(props, ctx) {
    const { messagesCount, uri } = await consumeBatch(props, ctx);
    return executionForBatch(messagesCount, uri, { messagesCount, uri }, ctx.storage);
  },
});

const RealtimeTrigger = defineTrigger({
  type: `${PREFIX}.RealtimeTrigger`,
  triggerKind: "realtime",
  title: "Start an execution per Kafka record",
  description:
    "Consumes `topic` and starts one execution per record (`trigger.key`, `trigger.value`, `trigger.topic`, `trigger.partition`, `trigger.offset`, `trigger.headers`…). With a `groupId`, a record's offset is committed only once its execution is stored.",
  examples: [
    {
      title: "Log each record",
      full: true,
      code: `id: kafka_realtime\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.value }}"\ntriggers:\n  - id: record\n    type: ${PREFIX}.RealtimeTrigger\n    properties:\n      bootstrap.servers: localhost:9092\n    topic: orders\n    groupId: kestra\n    valueDeserializer: JSON`,
    },
  ],
  properties: z.object(consumeShape),
  outputs: z.object({
    key: z.unknown(),
    value: z.unknown(),
    topic: z.string(),
    partition: z.number(),
    offset: z.number(),
  }),
  async listen(props, ctx, emit) {
    await listenKafka(props, ctx, (record) => emit({ variables: record }));
  },
});

export const kafkaTriggers = [Trigger, RealtimeTrigger];
