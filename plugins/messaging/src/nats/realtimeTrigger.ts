/**
 * `io.kestra.plugin.nats.core.RealtimeTrigger`: one execution per JetStream message. A message is
 * acknowledged only once its execution is stored (`emit` resolved): stopping between receipt and
 * storage leaves it unacknowledged, so it is delivered again (at once when the listener could
 * say so, after the consumer's ack wait otherwise). Delivery is at least once: a stop between
 * storage and acknowledgement may start a second execution for the message.
 */
import type { JsMsg } from "nats";
import { TaskError, defineTrigger, z } from "@saker/sdk";
import { connectNats, natsConnectionShape, natsError, natsServer } from "./connection.ts";
import { natsRecord, openPullConsumer, subscribeShape } from "./jetstream.ts";

/** Tells the server a message is still being handled while its execution is being stored. */
const WORKING_EVERY_MS = 10_000;

async function emitThenAck(message: JsMsg, emitting: Promise<void>): Promise<void> {
  const timer = setInterval(() => message.working(), WORKING_EVERY_MS);
  try {
    await emitting;
  } catch (error) {
    // Not stored: let another delivery start it now rather than after the ack wait.
    message.nak();
    throw error;
  } finally {
    clearInterval(timer);
  }
  // Not waiting for the server's confirmation: the next message is handled meanwhile. An ack lost
  // on the way only means a second delivery, which at-least-once allows.
  message.ack();
}

export const RealtimeTrigger = defineTrigger({
  type: "io.kestra.plugin.nats.core.RealtimeTrigger",
  aliases: ["io.kestra.plugin.nats.RealtimeTrigger"],
  triggerKind: "realtime",
  title: "Start an execution for each NATS message, as it arrives",
  description:
    "Consumes a JetStream subject continuously and starts one execution per message, with `trigger.subject`, `trigger.headers`, `trigger.data` and `trigger.timestamp`. Each message is acknowledged once its execution is stored; use a `durableId` so a restarted listener continues where it stopped.",
  examples: [
    {
      title: "Log every message of a subject",
      full: true,
      code: `id: nats_realtime\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.data }}"\ntriggers:\n  - id: watch\n    type: io.kestra.plugin.nats.core.RealtimeTrigger\n    url: nats://localhost:4222\n    subject: orders.>\n    durableId: orders-realtime`,
    },
  ],
  properties: z.object({ ...natsConnectionShape, ...subscribeShape }),
  outputs: z.object({
    subject: z.string(),
    headers: z.record(z.string(), z.array(z.string())),
    data: z.string(),
    timestamp: z.string(),
  }),
  async listen(props, ctx, emit) {
    const nc = await connectNats(props, ctx);
    let closedBy: Error | undefined;
    let lost = false;
    try {
      const pull = await openPullConsumer(nc, props);
      const messages = await pull.consumer.consume({ max_messages: props.batchSize, abort_on_missing_resource: true });
      const stop = () => void messages.stop();
      ctx.signal.addEventListener("abort", stop, { once: true });
      void nc.closed().then((error) => {
        lost = true;
        closedBy = error ?? undefined;
        stop();
      });
      try {
        for await (const message of messages) {
          const record = natsRecord(message);
          await emitThenAck(message, emit({ variables: { ...record, timestamp: record.timestamp.toISOString() } }));
          if (ctx.signal.aborted) break;
        }
      } finally {
        ctx.signal.removeEventListener("abort", stop);
        await pull.release();
      }
      if (!ctx.signal.aborted) {
        const reason = closedBy ? `: ${closedBy.message}` : "";
        throw new TaskError(
          lost
            ? `NATS: the connection to ${natsServer(props)} was lost${reason}`
            : `NATS: the subscription to '${props.subject}' ended`,
        );
      }
    } catch (error) {
      if (ctx.signal.aborted) return;
      throw natsError(error, props);
    } finally {
      await nc.close().catch(() => {});
    }
  },
});
