/** `io.kestra.plugin.nats.core.Produce`: publishes messages (headers and data) to a subject. */
import type { MsgHdrs } from "nats";
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import { closeOnAbort, fromProperty, readFrom, stoppedError } from "../core/index.ts";
import { connectNats, natsConnectionShape, natsError } from "./connection.ts";

/** The headers of one message (made by nats' `headers`): each value a string or a list of strings. */
export function headersOf(value: unknown, index: number, natsHeaders: () => MsgHdrs): MsgHdrs | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw new NonRetryableError(`NATS: the headers of message ${index} must be a map of names to values`);
  const result = natsHeaders();
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    for (const item of Array.isArray(raw) ? raw : [raw]) result.append(name, String(item));
  }
  return result;
}

/** A message's data as bytes: text as it is, anything else as JSON. */
export function dataOf(value: unknown): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
}

export const Produce = defineTask({
  type: "io.kestra.plugin.nats.core.Produce",
  aliases: ["io.kestra.plugin.nats.Produce"],
  title: "Publish messages to a NATS subject",
  description:
    "Publishes each message of `from` (a map with `data` and optional `headers`, a list of them, or a `kestra://` Ion file with one per line) to `subject`, and waits until the server has processed them all.",
  examples: [
    {
      title: "Publish one message with a header",
      code: `id: produce\ntype: io.kestra.plugin.nats.core.Produce\nurl: nats://localhost:4222\nsubject: orders.created\nfrom:\n  headers:\n    source: saker\n  data: "{\\"id\\": 1}"`,
    },
  ],
  properties: z.object({
    ...natsConnectionShape,
    subject: z.string().min(1).describe("The subject to publish to."),
    from: fromProperty,
  }),
  outputs: z.object({ messagesCount: z.number().describe("How many messages were published.") }),
  async run(props, ctx) {
    const nc = await connectNats(props, ctx);
    const { headers } = await import("nats");
    const dispose = closeOnAbort(ctx.signal, () => void nc.close().catch(() => {}));
    let messagesCount = 0;
    try {
      const maxPayload = nc.info?.max_payload ?? Infinity;
      for await (const item of readFrom(props.from, ctx.storage)) {
        ctx.signal.throwIfAborted();
        const index = messagesCount + 1;
        const message =
          item !== null && typeof item === "object" && !Array.isArray(item)
            ? (item as Record<string, unknown>)
            : { data: item };
        const data = dataOf(message.data);
        if (data.byteLength > maxPayload)
          throw new NonRetryableError(
            `NATS: message ${index} is ${data.byteLength} bytes, more than the server's max_payload of ${maxPayload} bytes`,
          );
        const hdrs = headersOf(message.headers, index, headers);
        nc.publish(props.subject, data, hdrs ? { headers: hdrs } : {});
        messagesCount++;
      }
      // A round trip to the server: every message before it has been processed (and stored by JetStream).
      await nc.flush();
    } catch (error) {
      throw ctx.signal.aborted ? stoppedError("NATS") : natsError(error, props);
    } finally {
      dispose();
      await nc.close().catch(() => {});
    }
    ctx.metric({ name: "records", type: "counter", value: messagesCount });
    return { messagesCount };
  },
});
