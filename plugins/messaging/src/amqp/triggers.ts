/**
 * Kestra's AMQP triggers: `Trigger` (polling: one execution per batch of messages, `trigger.uri`
 * and `trigger.count`) and `RealtimeTrigger` (one execution per message, `trigger.data` and the
 * message properties; the message is acknowledged once the execution is stored).
 */
import { defineTrigger, duration, z } from "@saker/sdk";
import { executionForBatch } from "../core/batchTrigger.ts";
import { amqpConnectionShape } from "./connection.ts";
import { consumeBatch, listenQueue } from "./consume.ts";
import { PREFIX, consumeShape, stopShape } from "./tasks.ts";

const Trigger = defineTrigger({
  type: `${PREFIX}.Trigger`,
  triggerKind: "polling",
  title: "Start an execution per batch of AMQP messages",
  description:
    "Every `interval`, consumes `queue` like the Consume task and starts one execution when messages came, with `trigger.count` and `trigger.uri`.",
  examples: [
    {
      title: "A batch of up to 100 messages every minute",
      full: true,
      code: `id: amqp_batch\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.count }} messages in {{ trigger.uri }}"\ntriggers:\n  - id: batch\n    type: ${PREFIX}.Trigger\n    host: localhost\n    queue: orders\n    maxRecords: 100\n    maxDuration: PT10S`,
    },
  ],
  properties: z.object({
    ...amqpConnectionShape,
    ...consumeShape,
    ...stopShape,
    interval: duration().prefault("PT1M").describe("Time between two polls."),
  }),
  outputs: z.object({ count: z.number(), uri: z.string() }),
  async evaluate(props, ctx) {
    const { count, uri } = await consumeBatch(props, ctx);
    return executionForBatch(count, uri, { count, uri }, ctx.storage);
  },
});

const RealtimeTrigger = defineTrigger({
  type: `${PREFIX}.RealtimeTrigger`,
  triggerKind: "realtime",
  title: "Start an execution per AMQP message",
  description:
    "Listens to `queue` and starts one execution per message (`trigger.data`, `trigger.headers`…). A message is acknowledged only once its execution is stored: one that was received but not stored is delivered again.",
  examples: [
    {
      title: "Log each message",
      full: true,
      code: `id: amqp_realtime\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.data }}"\ntriggers:\n  - id: message\n    type: ${PREFIX}.RealtimeTrigger\n    host: localhost\n    queue: orders`,
    },
  ],
  properties: z.object({ ...amqpConnectionShape, ...consumeShape }),
  outputs: z.object({ data: z.unknown(), headers: z.record(z.string(), z.string()).optional() }),
  async listen(props, ctx, emit) {
    await listenQueue(props, ctx.signal, ctx.logger, (record) => emit({ variables: record }));
  },
});

export const amqpTriggers = [Trigger, RealtimeTrigger];
