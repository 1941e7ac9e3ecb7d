/**
 * Kestra's AMQP tasks (`io.kestra.plugin.amqp.*`): Publish, Consume, and the broker set-up tasks
 * CreateQueue, DeclareExchange and QueueBind.
 */
import { NonRetryableError, anyValue, defineTask, duration, map, z } from "@saker/sdk";
import { amqpConnectionShape, channelError, withAmqp } from "./connection.ts";
import { consumeBatch } from "./consume.ts";
import { AMQP_SERDES, outgoing } from "./message.ts";
import { readFrom } from "../core/index.ts";

export const PREFIX = "io.kestra.plugin.amqp";

const serdeType = z.enum(AMQP_SERDES).default("STRING").describe("How message bodies are read or written.");

/** The consuming properties shared by Consume and the two triggers. */
export const consumeShape = {
  queue: z.string().min(1).describe("The queue to pull messages from."),
  consumerTag: z.string().default("Kestra").describe("A client-generated consumer tag."),
  serdeType,
  autoAck: z
    .boolean()
    .default(false)
    .describe("Acknowledge on delivery; by default messages are acknowledged once safely stored."),
};

export const stopShape = {
  maxRecords: z.number().int().positive().optional().describe("Stop after this many messages."),
  maxDuration: duration().optional().describe("Stop after this duration (without it: at most one minute)."),
};

const Publish = defineTask({
  type: `${PREFIX}.Publish`,
  title: "Publish messages to an AMQP exchange",
  description:
    "Publishes each item of `from` (a map, a list of maps, or a `kestra://` Ion file of them) to `exchange` with `routingKey`; each item has `data` and optional message properties (`headers`, `contentType`, `timestamp`, `expiration`…). Waits for the broker's confirmation of every message.",
  examples: [
    {
      title: "Publish two messages",
      code: `id: publish\ntype: ${PREFIX}.Publish\nhost: localhost\nusername: guest\npassword: "{{ secret('AMQP_PASSWORD') }}"\nexchange: orders\nroutingKey: new\nserdeType: JSON\nfrom:\n  - data: { id: 1 }\n    headers: { source: kestra }\n  - data: { id: 2 }`,
    },
  ],
  properties: z.object({
    ...amqpConnectionShape,
    exchange: z
      .string()
      .describe('The exchange to publish to (`""`: the default exchange, routing to the queue named by `routingKey`).'),
    routingKey: z.string().default("").describe("The routing key."),
    from: anyValue().describe("A message map, a list of them, or a kestra:// URI of an Ion file of them."),
    serdeType,
  }),
  outputs: z.object({ messagesCount: z.number().describe("Number of messages published.") }),
  async run(props, ctx) {
    if (props.from === undefined || props.from === null) throw new NonRetryableError("from is required");
    return withAmqp(props, ctx.signal, async (model) => {
      const channel = await model.createConfirmChannel();
      let failure: Error | undefined;
      channel.on("error", (error: unknown) => (failure ??= channelError(error, `Exchange '${props.exchange}'`)));
      let count = 0;
      for await (const item of readFrom(props.from, ctx.storage)) {
        if (failure) throw failure;
        const { body, options } = outgoing(item, props.serdeType, count);
        if (!channel.publish(props.exchange, props.routingKey, body, options))
          await new Promise((resolve) => channel.once("drain", resolve));
        count++;
      }
      try {
        await channel.waitForConfirms();
      } catch (error) {
        throw failure ?? channelError(error, `Publishing to exchange '${props.exchange}'`);
      }
      if (failure) throw failure;
      ctx.metric({ name: "published.records", type: "counter", value: count });
      return { messagesCount: count };
    });
  },
});

const Consume = defineTask({
  type: `${PREFIX}.Consume`,
  title: "Consume messages from an AMQP queue",
  description:
    "Consumes `queue` until `maxRecords` messages or `maxDuration` (one of them is required), stores the messages as an Ion file and acknowledges them once the file is stored.",
  examples: [
    {
      title: "Consume up to 1000 messages",
      code: `id: consume\ntype: ${PREFIX}.Consume\nhost: localhost\nusername: guest\npassword: "{{ secret('AMQP_PASSWORD') }}"\nqueue: orders\nmaxRecords: 1000\nmaxDuration: PT30S`,
    },
  ],
  properties: z.object({ ...amqpConnectionShape, ...consumeShape, ...stopShape }),
  outputs: z.object({
    count: z.number().describe("Number of messages consumed."),
    uri: z.string().describe("The Ion file of the messages (`data` and message properties)."),
  }),
  async run(props, ctx) {
    const result = await consumeBatch(props, ctx);
    ctx.metric({ name: "consumed.records", type: "counter", value: result.count, tags: { queue: props.queue } });
    return result;
  },
});

const args = map(anyValue()).optional().describe("Other arguments (`x-message-ttl`…).");

const CreateQueue = defineTask({
  type: `${PREFIX}.CreateQueue`,
  title: "Create an AMQP queue",
  description: "Declares a queue (nothing changes when it exists with the same settings).",
  examples: [
    { title: "A durable queue", code: `id: queue\ntype: ${PREFIX}.CreateQueue\nhost: localhost\nname: orders` },
  ],
  properties: z.object({
    ...amqpConnectionShape,
    name: z.string().min(1).describe("The queue name."),
    durability: z.boolean().default(true).describe("Survives a broker restart."),
    exclusive: z.boolean().default(false).describe("Restricted to this connection."),
    autoDelete: z.boolean().default(false).describe("Deleted when its last consumer leaves."),
    args,
  }),
  outputs: z.object({ queue: z.string() }),
  async run(props, ctx) {
    await withAmqp(props, ctx.signal, async (model) => {
      const channel = await model.createChannel();
      channel.on("error", () => undefined);
      await channel
        .assertQueue(props.name, {
          durable: props.durability,
          exclusive: props.exclusive,
          autoDelete: props.autoDelete,
          ...(props.args ? { arguments: props.args } : {}),
        })
        .catch((error: unknown) => {
          throw channelError(error, `Cannot create queue '${props.name}'`);
        });
    });
    return { queue: props.name };
  },
});

const DeclareExchange = defineTask({
  type: `${PREFIX}.DeclareExchange`,
  title: "Declare an AMQP exchange",
  description: "Declares an exchange (nothing changes when it exists with the same settings).",
  examples: [
    {
      title: "A fanout exchange",
      code: `id: exchange\ntype: ${PREFIX}.DeclareExchange\nhost: localhost\nname: events\nexchangeType: FANOUT`,
    },
  ],
  properties: z.object({
    ...amqpConnectionShape,
    name: z.string().min(1).describe("The exchange name."),
    exchangeType: z.enum(["DIRECT", "FANOUT", "TOPIC", "HEADERS"]).default("DIRECT").describe("The exchange type."),
    durability: z.boolean().default(true).describe("Survives a broker restart."),
    autoDelete: z.boolean().default(false).describe("Deleted when no queue is bound to it any more."),
    internal: z.boolean().default(false).describe("Clients cannot publish to it directly."),
    args,
  }),
  outputs: z.object({ exchange: z.string() }),
  async run(props, ctx) {
    await withAmqp(props, ctx.signal, async (model) => {
      const channel = await model.createChannel();
      channel.on("error", () => undefined);
      await channel
        .assertExchange(props.name, props.exchangeType.toLowerCase(), {
          durable: props.durability,
          autoDelete: props.autoDelete,
          internal: props.internal,
          ...(props.args ? { arguments: props.args } : {}),
        })
        .catch((error: unknown) => {
          throw channelError(error, `Cannot declare exchange '${props.name}'`);
        });
    });
    return { exchange: props.name };
  },
});

const QueueBind = defineTask({
  type: `${PREFIX}.QueueBind`,
  title: "Bind an AMQP queue to an exchange",
  description:
    "Binds `queue` to `exchange` with `routingKey`: messages published there with a matching key reach the queue.",
  examples: [
    {
      title: "Bind",
      code: `id: bind\ntype: ${PREFIX}.QueueBind\nhost: localhost\nexchange: events\nqueue: orders\nroutingKey: new`,
    },
  ],
  properties: z.object({
    ...amqpConnectionShape,
    exchange: z.string().min(1).describe("The exchange to bind with."),
    queue: z.string().min(1).describe("The queue to bind."),
    routingKey: z.string().default("").describe("The binding's routing key."),
    args,
  }),
  outputs: z.object({ queue: z.string(), exchange: z.string() }),
  async run(props, ctx) {
    await withAmqp(props, ctx.signal, async (model) => {
      const channel = await model.createChannel();
      channel.on("error", () => undefined);
      await channel
        .bindQueue(props.queue, props.exchange, props.routingKey, props.args ?? {})
        .catch((error: unknown) => {
          throw channelError(error, `Cannot bind queue '${props.queue}' to exchange '${props.exchange}'`);
        });
    });
    return { queue: props.queue, exchange: props.exchange };
  },
});

export const amqpTasks = [Publish, Consume, CreateQueue, DeclareExchange, QueueBind];
