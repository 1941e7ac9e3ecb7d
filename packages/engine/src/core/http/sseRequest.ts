/** `http.SseRequest`: consumes Server-Sent Events from an endpoint. */
import { defineTask, errorMessage, NonRetryableError, z } from "@saker/sdk";
import { DEFAULT_LIMITS } from "../../expression/index.ts";
import { runJq } from "../../expression/jq.ts";
import { JavaNumber } from "../../expression/values.ts";
import { exchange, httpProperties } from "./client.ts";
import { readSse, type SseEvent } from "./sse.ts";

/** The text a jq result gives for concatenation: a string, a number or a boolean. */
function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || value instanceof JavaNumber) return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  throw new Error(
    `Expected text value from JQ expression but got: ${value === null ? "NULL" : Array.isArray(value) ? "ARRAY" : typeof value === "object" ? "OBJECT" : typeof value}`,
  );
}

export const SseRequest = defineTask({
  type: "io.kestra.plugin.core.http.SseRequest",
  title: "Consume Server-Sent Events",
  description:
    "Calls `uri` and reads its Server-Sent Events until the server ends the stream. Each event's data is kept as JSON when it parses, as text otherwise. With `concatJqExpression`, the jq expression is applied to each event (`{data, id, name, …}`) and the values it gives are concatenated into `result`; an event it gives no text for fails the task unless `failedOnMissingJq` is false.",
  examples: [
    {
      title: "Concatenate streamed tokens",
      code: "id: stream\ntype: io.kestra.plugin.core.http.SseRequest\nuri: https://example.com/stream\nconcatJqExpression: .data.token",
    },
  ],
  properties: z.object({
    ...httpProperties,
    concatJqExpression: z
      .string()
      .optional()
      .describe("A jq expression applied to each event; the values it gives are concatenated into `result`."),
    failedOnMissingJq: z
      .boolean()
      .default(true)
      .describe("Fail when the jq expression gives no text for an event; false skips the event."),
  }),
  outputs: z.object({
    uri: z.string().describe("The URI called."),
    events: z
      .array(z.unknown())
      .nullable()
      .describe("The events received; null when `concatJqExpression` gave a result."),
    size: z.number().describe("The number of events received."),
    result: z.string().nullable().describe("The concatenated jq values; null without `concatJqExpression`."),
  }),
  async run(props, ctx) {
    const events: SseEvent[] = [];
    await exchange(ctx, props, (response) => readSse(response.body, (event) => events.push(event)));
    ctx.metric({ name: "size", type: "counter", value: events.length });
    const parts: string[] = [];
    if (props.concatJqExpression !== undefined) {
      for (const event of events) {
        const json = JSON.stringify(event);
        try {
          const values = await runJq(json, props.concatJqExpression, {
            timeoutMs: DEFAULT_LIMITS.jqTimeoutMs,
            memoryMb: DEFAULT_LIMITS.jqMemoryMb,
            signal: ctx.signal,
          });
          const last = values.at(-1);
          if (values.length > 0) parts.push(textOf(last));
        } catch (error) {
          const message = `Failed to resolve JQ expression '${props.concatJqExpression}' and value '${json}'`;
          if (props.failedOnMissingJq) throw new NonRetryableError(`${message}: ${errorMessage(error)}`);
          ctx.logger.debug("{}. Skipping this event.", message);
        }
      }
    }
    return {
      uri: props.uri,
      events: parts.length > 0 ? null : events,
      size: events.length,
      result: parts.length > 0 ? parts.join("") : null,
    };
  },
});
