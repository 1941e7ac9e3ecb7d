/**
 * Squadcast: `io.kestra.plugin.squadcast.{SquadcastIncomingWebhook,SquadcastExecution}` (and the
 * older `io.kestra.plugin.notifications.squadcast.*`), through an Incident Webhook URL.
 */
import { defineTask, z } from "@saker/sdk";
import { bodyOf, ignoredProperty, summaryProperties, warnIgnored } from "./families.ts";
import { summarize, summaryLines } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

const url = z
  .string()
  .min(1)
  .describe("The Incident Webhook URL (`https://api.squadcast.com/v2/incidents/api/<key>`).");

export const SquadcastIncomingWebhook = defineTask({
  type: "io.kestra.plugin.squadcast.SquadcastIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.squadcast.SquadcastIncomingWebhook"],
  title: "Send a Squadcast incident event from a JSON payload.",
  description:
    "POSTs `payload` (Squadcast's `message`, `description`, `tags`, `status`, `event_id`) to `url`. A 4xx or 5xx answer fails the task with Squadcast's answer.",
  examples: [
    {
      title: "Trigger, then resolve, an incident",
      code: `- id: squadcast
  type: io.kestra.plugin.squadcast.SquadcastIncomingWebhook
  url: "{{ secret('SQUADCAST_WEBHOOK') }}"
  payload: '{"message": "{{ flow.id }} failed", "status": "trigger", "event_id": "{{ execution.id }}"}'
- id: resolve
  type: io.kestra.plugin.squadcast.SquadcastIncomingWebhook
  url: "{{ secret('SQUADCAST_WEBHOOK') }}"
  payload: '{"status": "resolve", "event_id": "{{ execution.id }}"}'
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
    const body = bodyOf(ctx, props.payload, undefined, undefined);
    await postJson(ctx, "Squadcast", props.url, body, "url", {}, props.options);
    return {};
  },
});

export const SquadcastExecution = defineTask({
  type: "io.kestra.plugin.squadcast.SquadcastExecution",
  aliases: ["io.kestra.plugin.notifications.squadcast.SquadcastExecution"],
  title: "Send a Squadcast incident event with the summary of an execution.",
  description:
    "An event with `message`, the summary as `description` (lines: title, link, custom message, fields), and `priority`, `event_id`, " +
    "`status` and `tags` when set. `payload` is accepted and, as by Kestra's, ignored (a warning says so; SquadcastIncomingWebhook sends a payload of your own).",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: squadcast
  type: io.kestra.plugin.squadcast.SquadcastExecution
  url: "{{ secret('SQUADCAST_WEBHOOK') }}"
  message: "Saker alert"
  priority: P1
  eventId: "{{ trigger.executionId }}"
  status: trigger
  tags:
    severity: high
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
  properties: z.object({
    url,
    options: optionsProperty,
    ...summaryProperties,
    payload: ignoredProperty("payload", "SquadcastIncomingWebhook"),
    message: z.string().min(1).describe("The incident's message."),
    priority: z.string().optional().describe("P1 to P5 (Squadcast takes anything else as unset)."),
    eventId: z.string().optional().describe("Sent as `event_id`: the id that later events (e.g. `resolve`) refer to."),
    status: z.string().optional().describe("`trigger` or `resolve`."),
    tags: z.record(z.string(), z.string()).optional().describe("Tag → value."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    warnIgnored(ctx, "SquadcastExecution", props.payload !== undefined ? ["payload"] : [], "SquadcastIncomingWebhook");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const body = {
      message: props.message,
      description: summaryLines(summary, props.customMessage, props.customFields).join("\n"),
      ...(props.priority !== undefined ? { priority: props.priority } : {}),
      ...(props.eventId !== undefined ? { event_id: props.eventId } : {}),
      ...(props.status !== undefined ? { status: props.status } : {}),
      ...(props.tags && Object.keys(props.tags).length ? { tags: props.tags } : {}),
    };
    await postJson(ctx, "Squadcast", props.url, JSON.stringify(body), "url", {}, props.options);
    return {};
  },
});
