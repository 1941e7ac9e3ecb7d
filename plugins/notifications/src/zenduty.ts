/**
 * Zenduty: `io.kestra.plugin.zenduty.{ZendutyAlert,ZendutyExecution}` (and the older
 * `io.kestra.plugin.notifications.zenduty.*`): events of the Events API, whose URL
 * (`https://www.zenduty.com/api/events/<integration key>/`) carries the integration key.
 */
import { defineTask, z } from "@saker/sdk";
import { bodyOf, ignoredProperty, summaryProperties, warnIgnored } from "./families.ts";
import { summarize, summaryFields, summaryTitle } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

const url = z.string().min(1).describe("The Events API URL, with the integration key in it.");

export const ZendutyAlert = defineTask({
  type: "io.kestra.plugin.zenduty.ZendutyAlert",
  aliases: ["io.kestra.plugin.notifications.zenduty.ZendutyAlert"],
  title: "Send a Zenduty event from a JSON payload.",
  description:
    "POSTs `payload` (an event with Zenduty's `message` and `alert_type`) to `url`. A 4xx or 5xx answer fails the task with Zenduty's answer.",
  examples: [
    {
      title: "Alert on failure",
      code: `- id: zenduty
  type: io.kestra.plugin.zenduty.ZendutyAlert
  url: "https://www.zenduty.com/api/events/{{ secret('ZENDUTY_INTEGRATION_KEY') }}/"
  payload: '{"alert_type": "error", "message": "{{ flow.id }} failed"}'
`,
    },
  ],
  properties: z.object({
    url,
    payload: z.string().optional().describe("The event's JSON, rendered."),
    options: optionsProperty,
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    await postJson(
      ctx,
      "Zenduty",
      props.url,
      bodyOf(ctx, props.payload, undefined, undefined),
      "url",
      {},
      props.options,
    );
    return {};
  },
});

const ALERT_TYPES = ["CRITICAL", "ACKNOWLEDGED", "RESOLVED", "ERROR", "WARNING", "INFO"] as const;

export const ZendutyExecution = defineTask({
  type: "io.kestra.plugin.zenduty.ZendutyExecution",
  aliases: ["io.kestra.plugin.notifications.zenduty.ZendutyExecution"],
  title: "Send a Zenduty event with the summary of an execution.",
  description:
    "An event with `message` (default: the summary's title), `summary` (default: the custom message, else a sentence naming the " +
    "execution and its state), `alert_type` (`alertType` in lower case; default `error` when a task failed, else `resolved`), " +
    "`entity_id` (default: the execution id), the execution link in `urls` and the summary fields as `payload`. " +
    "`payload` is accepted and, as by Kestra's, ignored (a warning says so; ZendutyAlert sends a payload of your own).",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: zenduty
  type: io.kestra.plugin.zenduty.ZendutyExecution
  url: "https://www.zenduty.com/api/events/{{ secret('ZENDUTY_INTEGRATION_KEY') }}/"
  executionId: "{{ trigger.executionId }}"
  alertType: CRITICAL
`,
    },
  ],
  properties: z.object({
    url,
    options: optionsProperty,
    ...summaryProperties,
    payload: ignoredProperty("payload", "ZendutyAlert"),
    message: z.string().optional().describe("The event's title (default: the summary's title)."),
    summary: z.string().optional().describe("The event's description (default: the custom message, else a sentence)."),
    alertType: z.enum(ALERT_TYPES).optional().describe("Sent in lower case as `alert_type`."),
    entityId: z.string().optional().describe("Zenduty's id of the alert (default: the execution id)."),
    urls: z
      .array(z.string())
      .optional()
      .describe("Sent as `urls` as they are, in place of the execution link (as Kestra's does)."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    warnIgnored(ctx, "ZendutyExecution", props.payload !== undefined ? ["payload"] : [], "ZendutyAlert");
    const s = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const x = s.execution;
    const link = x.url ? [{ link_url: x.url, link_text: "Execution link" }] : [];
    const body = {
      message: props.message ?? summaryTitle(s),
      summary:
        props.summary ??
        props.customMessage ??
        `Execution ${x.id} of flow ${x.flowId} in namespace ${x.namespace} is ${x.state}`,
      alert_type: props.alertType?.toLowerCase() ?? (s.failedTask ? "error" : "resolved"),
      entity_id: props.entityId ?? x.id,
      urls: props.urls?.length ? props.urls : link,
      payload: Object.fromEntries(summaryFields(s, props.customFields ?? {})),
    };
    await postJson(ctx, "Zenduty", props.url, JSON.stringify(body), "url", {}, props.options);
    return {};
  },
});
