/** Kestra's MQTT tasks (`io.kestra.plugin.mqtt.*`): Publish and Subscribe. */
import { NonRetryableError, TaskError, anyValue, defineTask, duration, z } from "@saker/sdk";
import { readFrom } from "../core/index.ts";
import { describeError } from "../core/redactText.ts";
import { brokerName, closeMqtt, mqttConnectionShape, openMqtt } from "./connection.ts";
import { MQTT_SERDES, correlationBytes, payloadOf } from "./message.ts";
import { checkQos, subscribeBatch } from "./subscribe.ts";

export const PREFIX = "io.kestra.plugin.mqtt";

const qos = z.number().int().default(1).describe("Quality of service: 0, 1 or 2.");

/** What Subscribe and the two triggers share. */
export const subscribeShape = {
  ...mqttConnectionShape,
  topic: z
    .union([z.string(), z.array(z.string())])
    .describe("The topic, or topics, to subscribe to (wildcards allowed)."),
  serdeType: z.enum(MQTT_SERDES).default("JSON").describe("How payloads are read."),
  qos,
};

export const stopShape = {
  maxRecords: z.number().int().positive().optional().describe("Stop after this many messages."),
  maxDuration: duration().optional().describe("Stop after this duration."),
};

const Publish = defineTask({
  type: `${PREFIX}.Publish`,
  title: "Publish messages to an MQTT topic",
  description:
    "Publishes `from` to `topic`: with STRING each item (a text, or each text of a list) as it is; with JSON a value, a list of values or a kestra:// Ion file of them, one message each.",
  examples: [
    {
      title: "Publish a JSON message",
      code: `id: publish\ntype: ${PREFIX}.Publish\nserver: tcp://localhost:1883\nclientId: kestraProducer\ntopic: kestra/sensors/cpu\nserdeType: JSON\nretain: true\nfrom:\n  type: sensors\n  value: 1.23`,
    },
  ],
  properties: z.object({
    ...mqttConnectionShape,
    topic: z.string().min(1).describe("The topic to publish to."),
    from: anyValue().describe("The message(s) to send."),
    serdeType: z.enum(MQTT_SERDES).describe("How payloads are written: STRING, JSON or BYTES (text as UTF-8)."),
    qos,
    retain: z.boolean().default(false).describe("The broker keeps the last message for new subscribers."),
    responseTopic: z.string().optional().describe("MQTT 5: the topic a responder should reply to."),
    correlationData: z.string().optional().describe("MQTT 5: correlation data, Base64-encoded."),
  }),
  outputs: z.object({ messagesCount: z.number().describe("Number of messages published.") }),
  async run(props, ctx) {
    if (props.from === undefined || props.from === null) throw new NonRetryableError("from is required");
    const level = checkQos(props.qos);
    const properties = {
      ...(props.responseTopic ? { responseTopic: props.responseTopic } : {}),
      ...(props.correlationData ? { correlationData: correlationBytes(props.correlationData) } : {}),
    };
    const where = brokerName(props.server);
    const items = props.serdeType === "STRING" ? fromList(props.from) : readFrom(props.from, ctx.storage);
    const client = await openMqtt(props, {}, ctx.signal, ctx.storage);
    let count = 0;
    try {
      for await (const item of items) {
        ctx.signal.throwIfAborted();
        await client
          .publishAsync(props.topic, payloadOf(item, props.serdeType), {
            qos: level,
            retain: props.retain,
            ...(props.mqttVersion === "V5" && Object.keys(properties).length > 0 ? { properties } : {}),
          })
          .catch((error: unknown) => {
            throw new TaskError(`Cannot publish to '${props.topic}' on ${where}: ${describeError(error)}`);
          });
        count++;
      }
    } finally {
      await closeMqtt(client);
    }
    ctx.metric({ name: "records", type: "counter", value: count, tags: { topic: props.topic } });
    return { messagesCount: count };
  },
});

async function* fromList(from: unknown): AsyncGenerator<unknown> {
  yield* Array.isArray(from) ? from : [from];
}

const Subscribe = defineTask({
  type: `${PREFIX}.Subscribe`,
  title: "Subscribe to MQTT topics",
  description:
    "Subscribes to `topic` until `maxRecords` messages or `maxDuration` (one of them is required) and stores the messages as an Ion file (`id`, `topic`, `qos`, `payload`, `retain`…).",
  examples: [
    {
      title: "Up to 10 JSON messages of two topics",
      code: `id: subscribe\ntype: ${PREFIX}.Subscribe\nserver: tcp://localhost:1883\nclientId: kestraConsumer\ntopic:\n  - kestra/sensors/cpu\n  - kestra/sensors/mem\nserdeType: JSON\nmaxRecords: 10\nmaxDuration: PT30S`,
    },
  ],
  properties: z.object({ ...subscribeShape, ...stopShape }),
  outputs: z.object({
    messagesCount: z.number().describe("Number of messages received."),
    uri: z.string().describe("The Ion file of the messages."),
  }),
  async run(props, ctx) {
    const result = await subscribeBatch(props, ctx);
    ctx.metric({ name: "records", type: "counter", value: result.messagesCount });
    return result;
  },
});

export const mqttTasks = [Publish, Subscribe];
