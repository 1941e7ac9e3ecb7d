/**
 * Kestra's MQTT triggers: `Trigger` (polling: one execution per batch, `trigger.uri` and
 * `trigger.messagesCount`) and `RealtimeTrigger` (one execution per message, `trigger.payload`,
 * `trigger.topic`…; acknowledged once the execution is stored).
 */
import { defineTrigger, duration, z } from "@saker/sdk";
import { executionForBatch } from "../core/batchTrigger.ts";
import { listenTopics, subscribeBatch, triggerClientId } from "./subscribe.ts";
import { PREFIX, stopShape, subscribeShape } from "./tasks.ts";

const Trigger = defineTrigger({
  type: `${PREFIX}.Trigger`,
  triggerKind: "polling",
  title: "Start an execution per batch of MQTT messages",
  description:
    "Every `interval`, subscribes like the Subscribe task and starts one execution when messages came, with `trigger.messagesCount` and `trigger.uri`. Between two polls nobody is subscribed: use RealtimeTrigger not to miss a message.",
  examples: [
    {
      title: "Batches of sensor readings",
      full: true,
      code: `id: mqtt_batch\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.messagesCount }} readings"\ntriggers:\n  - id: readings\n    type: ${PREFIX}.Trigger\n    server: tcp://localhost:1883\n    topic: kestra/sensors/#\n    maxRecords: 100\n    maxDuration: PT10S`,
    },
  ],
  properties: z.object({
    ...subscribeShape,
    ...stopShape,
    interval: duration().prefault("PT1M").describe("Time between two polls."),
  }),
  outputs: z.object({ messagesCount: z.number(), uri: z.string() }),
  async evaluate(props, ctx) {
    const { messagesCount, uri } = await subscribeBatch(props, ctx);
    return executionForBatch(messagesCount, uri, { messagesCount, uri }, ctx.storage);
  },
});

const RealtimeTrigger = defineTrigger({
  type: `${PREFIX}.RealtimeTrigger`,
  triggerKind: "realtime",
  title: "Start an execution per MQTT message",
  description:
    "Subscribes to `topic` and starts one execution per message (`trigger.payload`, `trigger.topic`, `trigger.qos`, `trigger.retain`…). The session is persistent (kept by the broker for a week while disconnected, under `clientId`, by default one derived from the flow and trigger) and a QoS 1 or 2 message is acknowledged only once its execution is stored, so none is lost when the instance stops.",
  examples: [
    {
      title: "Log each reading",
      full: true,
      code: `id: mqtt_realtime\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.payload }}"\ntriggers:\n  - id: reading\n    type: ${PREFIX}.RealtimeTrigger\n    server: tcp://localhost:1883\n    topic: kestra/sensors/cpu\n    serdeType: JSON`,
    },
  ],
  properties: z.object(subscribeShape),
  outputs: z.object({ topic: z.string(), payload: z.unknown(), qos: z.number(), retain: z.boolean() }),
  async listen(props, ctx, emit) {
    const clientId = props.clientId ?? triggerClientId(ctx.flow, ctx.trigger.id);
    await listenTopics({ ...props, clientId }, ctx.signal, ctx.logger, ctx.storage, (record) =>
      emit({ variables: record }),
    );
  },
});

export const mqttTriggers = [Trigger, RealtimeTrigger];
