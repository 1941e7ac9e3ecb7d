/** `io.kestra.plugin.nats.core.Request`: sends one message and waits for its reply (request/reply). */
import { defineTask, duration, errorMessage, z } from "@saker/sdk";
import { fromProperty, readFrom } from "../core/index.ts";
import { connectNats, natsConnectionShape, natsError } from "./connection.ts";
import { dataOf, headersOf } from "./produce.ts";

export const Request = defineTask({
  type: "io.kestra.plugin.nats.core.Request",
  aliases: ["io.kestra.plugin.nats.Request"],
  title: "Send a request to a NATS subject and wait for the reply",
  description:
    "Sends the first message of `from` (a map with `data` and optional `headers`) to `subject` and outputs the reply's data as text; no reply within `requestTimeout` (or no responder) leaves `response` out.",
  examples: [
    {
      title: "Ask a service",
      code: `id: ask\ntype: io.kestra.plugin.nats.core.Request\nurl: nats://localhost:4222\nsubject: prices.quote\nfrom:\n  data: '{"sku": "A-1"}'\nrequestTimeout: PT2S`,
    },
  ],
  properties: z.object({
    ...natsConnectionShape,
    subject: z.string().min(1).describe("The subject to send the request to."),
    from: fromProperty,
    requestTimeout: duration().prefault("PT5S").describe("How long to wait for the reply."),
  }),
  outputs: z.object({ response: z.string().optional().describe("The reply's data as UTF-8 text.") }),
  async run(props, ctx) {
    let message: Record<string, unknown> = {};
    for await (const item of readFrom(props.from, ctx.storage)) {
      message = item !== null && typeof item === "object" ? (item as Record<string, unknown>) : { data: item };
      break;
    }
    const nc = await connectNats(props, ctx);
    try {
      const hdrs = headersOf(message.headers, 1, (await import("nats")).headers);
      const reply = await nc.request(props.subject, dataOf(message.data), {
        timeout: props.requestTimeout,
        ...(hdrs ? { headers: hdrs } : {}),
      });
      return { response: Buffer.from(reply.data).toString("utf8") };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "TIMEOUT" || code === "503") {
        ctx.logger.warn("No reply from '{}': {}", props.subject, code === "503" ? "no responder" : errorMessage(error));
        return {};
      }
      throw natsError(error, props);
    } finally {
      await nc.close().catch(() => {});
    }
  },
});
