/**
 * `io.kestra.plugin.nats.core.Consume` and the polling `Trigger` built on it: pull messages from
 * a JetStream consumer in batches into an Ion file, until a fetch comes back empty, `maxRecords`
 * or `maxDuration`. Each batch is acknowledged once written, as Kestra does.
 */
import { defineTask, defineTrigger, duration, z, type RunContext, type TriggerContext } from "@saker/sdk";
import {
  closeOnAbort,
  consumeLoop,
  maxDurationProperty,
  maxRecordsProperty,
  openIonRecordFile,
  stoppedError,
  type BrokerContext,
} from "../core/index.ts";
import { connectNats, natsConnectionShape, natsError, type NatsConnectionProps } from "./connection.ts";
import { fetchBatch, natsRecord, openPullConsumer, subscribeShape, type SubscribeProps } from "./jetstream.ts";

const consumeShape = {
  ...natsConnectionShape,
  ...subscribeShape,
  maxRecords: maxRecordsProperty(),
  maxDuration: maxDurationProperty(),
  pollDuration: duration().prefault("PT2S").describe("How long one fetch waits for messages (at least one second)."),
};

const consumeOutputs = z.object({
  messagesCount: z.number().describe("How many messages were consumed (and acknowledged)."),
  uri: z.string().describe("The Ion file of the messages: subject, headers, data and timestamp of each."),
});

type ConsumeProps = NatsConnectionProps &
  SubscribeProps & {
    batchSize: number;
    pollDuration: number;
    maxRecords?: number | undefined;
    maxDuration?: number | undefined;
  };

/** Consumes into an Ion file in storage; shared by the task and the polling trigger. */
async function consume(
  props: ConsumeProps,
  ctx: BrokerContext & Pick<RunContext | TriggerContext, "storage" | "workingDir">,
): Promise<{ messagesCount: number; store: () => Promise<string>; discard: () => Promise<void> }> {
  const nc = await connectNats(props, ctx);
  const dispose = closeOnAbort(ctx.signal, () => void nc.close().catch(() => {}));
  const file = await openIonRecordFile(() => ctx.workingDir(), ctx.storage);
  try {
    const pull = await openPullConsumer(nc, props);
    try {
      const result = await consumeLoop({
        signal: ctx.signal,
        maxRecords: props.maxRecords,
        maxDuration: props.maxDuration,
        poll: async (remaining) => {
          const batch = await fetchBatch(
            pull.consumer,
            Math.min(props.batchSize, remaining ?? Infinity),
            props.pollDuration,
          );
          for (const message of batch) await file.write(natsRecord(message));
          await Promise.all(batch.map((message) => message.ackAck()));
          return batch;
        },
        onRecord: () => {},
      });
      return { messagesCount: result.count, store: () => file.store("messages.ion"), discard: () => file.discard() };
    } finally {
      await pull.release();
    }
  } catch (error) {
    await file.discard();
    throw ctx.signal.aborted ? stoppedError("NATS") : natsError(error, props);
  } finally {
    dispose();
    await nc.close().catch(() => {});
  }
}

export const Consume = defineTask({
  type: "io.kestra.plugin.nats.core.Consume",
  aliases: ["io.kestra.plugin.nats.Consume"],
  title: "Consume messages from a NATS JetStream subject",
  description:
    "Pulls messages from a JetStream consumer on `subject` with explicit acknowledgements and writes them to an Ion file in internal storage. Stops when a fetch returns nothing, or at `maxRecords` or `maxDuration`.",
  examples: [
    {
      title: "Consume what a durable consumer has not seen yet",
      code: `id: consume\ntype: io.kestra.plugin.nats.core.Consume\nurl: nats://localhost:4222\nsubject: orders.>\ndurableId: orders-report\npollDuration: PT5S`,
    },
  ],
  properties: z.object(consumeShape),
  outputs: consumeOutputs,
  async run(props, ctx) {
    const { messagesCount, store } = await consume(props, ctx);
    ctx.metric({ name: "records", type: "counter", value: messagesCount });
    return { messagesCount, uri: await store() };
  },
});

export const Trigger = defineTrigger({
  type: "io.kestra.plugin.nats.core.Trigger",
  aliases: ["io.kestra.plugin.nats.Trigger"],
  triggerKind: "polling",
  title: "Start an execution for each batch of NATS messages",
  description:
    "Every `interval`, consumes like `Consume`; when messages came, starts one execution that sees `trigger.messagesCount` and `trigger.uri` (the Ion file of the messages).",
  examples: [
    {
      title: "Process new messages every minute",
      full: true,
      code: `id: nats_batch\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.messagesCount }} messages in {{ trigger.uri }}"\ntriggers:\n  - id: watch\n    type: io.kestra.plugin.nats.core.Trigger\n    url: nats://localhost:4222\n    subject: orders.>\n    durableId: orders-batch\n    maxRecords: 100`,
    },
  ],
  properties: z.object({
    ...consumeShape,
    interval: duration().prefault("PT1M").describe("Time between two polls."),
  }),
  outputs: consumeOutputs,
  async evaluate(props, ctx) {
    const { messagesCount, store, discard } = await consume(props, ctx);
    ctx.logger.debug("Found '{}' messages from '{}'", messagesCount, props.subject);
    if (messagesCount === 0) {
      await discard();
      return undefined;
    }
    return { variables: { messagesCount, uri: await store() } };
  },
});
