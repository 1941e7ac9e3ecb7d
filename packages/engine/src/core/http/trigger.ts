/**
 * `http.Trigger`: polls an HTTP endpoint every `interval` and starts an execution when
 * `responseCondition` (rendered with `response.statusCode`, `response.body`, `response.headers`)
 * is true. The execution sees the response as `trigger.uri`, `trigger.code`, `trigger.headers`
 * and `trigger.body`.
 */
import { defineTrigger, duration, raw, z, type TriggerContext } from "@saker/sdk";
import { isTruthy } from "../../expression/index.ts";
import { DEFAULT_MAX_CONTENT_LENGTH, exchange, httpProperties, readText } from "./client.ts";

// Statuses are the condition's to judge: the Request task's allowFailed has no meaning here.
const { allowFailed: _allowFailed, ...pollProperties } = httpProperties;

export const Trigger = defineTrigger({
  type: "io.kestra.plugin.core.http.Trigger",
  aliases: ["io.kestra.plugin.fs.http.Trigger"],
  triggerKind: "polling",
  title: "Start an execution when an HTTP endpoint answers as expected",
  description:
    "Calls `uri` every `interval`; when `responseCondition` renders true (by default: a status below 400), starts an execution that sees the response as `trigger.uri`, `trigger.code`, `trigger.headers` and `trigger.body`. Failed statuses do not fail the poll: the condition decides.",
  examples: [
    {
      title: "Poll a price every 30 seconds",
      code: 'id: price\ntype: io.kestra.plugin.core.http.Trigger\nuri: https://example.com/products/1\nresponseCondition: "{{ json(response.body).price <= 110 }}"\ninterval: PT30S\nstopAfter:\n  - SUCCESS',
    },
  ],
  properties: z.object({
    ...pollProperties,
    encryptBody: z
      .boolean()
      .default(false)
      .describe("Keep the body out of the trigger variables (Kestra stores it encrypted)."),
    responseCondition: raw(z.string())
      .default("{{ response.statusCode < 400 }}")
      .describe(
        "Starts an execution when this renders true; sees `response.statusCode`, `response.body`, `response.headers`.",
      ),
    interval: duration().prefault("PT60S").describe("Time between two polls."),
  }),
  outputs: z.object({
    uri: z.string(),
    code: z.number(),
    headers: z.record(z.string(), z.array(z.string())),
    body: z.unknown().optional(),
  }),
  async evaluate(props, ctx: TriggerContext) {
    // A failed status does not fail the poll: the condition decides.
    return exchange(
      ctx,
      { ...props, allowFailed: false },
      async (response) => {
        const text = await readText(response.body, props.options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH);
        const responseVars = { statusCode: response.code, body: text, headers: response.headers };
        ctx.logger.debug("{} responded with status code '{}'", props.uri, response.code);
        if (!isTruthy(await ctx.render(props.responseCondition, { response: responseVars }))) return undefined;
        return {
          variables: {
            uri: props.uri,
            code: response.code,
            headers: response.headers,
            ...(props.encryptBody ? {} : { body: text }),
          },
        };
      },
      true,
    );
  },
});
