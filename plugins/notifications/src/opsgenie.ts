/**
 * Opsgenie: `io.kestra.plugin.opsgenie.{OpsgenieAlert,OpsgenieExecution}` (and the older
 * `io.kestra.plugin.notifications.opsgenie.*`): alerts of the Alert API, authenticated with a
 * `GenieKey` token.
 */
import { defineTask, z } from "@saker/sdk";
import { bodyOf, ignoredProperty, summaryProperties, warnIgnored } from "./families.ts";
import { summarize, summaryFields, summaryTitle } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

const common = {
  url: z.string().min(1).describe("The Alert API URL (`https://api.opsgenie.com/v2/alerts`)."),
  authorizationToken: z.string().optional().describe("The API key, sent as `Authorization: GenieKey <token>`."),
  options: optionsProperty,
};

const auth = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `GenieKey ${token}` } : {};

/** Opsgenie's `[{id, type}]` from Kestra's `id: type` map. */
const recipients = (map: Readonly<Record<string, string>> | undefined) =>
  map ? Object.entries(map).map(([id, type]) => ({ id, type })) : undefined;

export const OpsgenieAlert = defineTask({
  type: "io.kestra.plugin.opsgenie.OpsgenieAlert",
  aliases: ["io.kestra.plugin.notifications.opsgenie.OpsgenieAlert"],
  title: "Create an Opsgenie alert from a JSON payload.",
  description: "POSTs `payload` to `url`. A 4xx or 5xx answer fails the task with Opsgenie's answer.",
  examples: [
    {
      title: "Alert on failure",
      code: `- id: opsgenie
  type: io.kestra.plugin.opsgenie.OpsgenieAlert
  url: https://api.opsgenie.com/v2/alerts
  authorizationToken: "{{ secret('OPSGENIE_KEY') }}"
  payload: '{"message": "{{ flow.id }} failed", "priority": "P1"}'
`,
    },
  ],
  properties: z.object({ ...common, payload: z.string().optional().describe("The alert's JSON, rendered.") }),
  outputs: z.object({}),
  async run(props, ctx) {
    const body = bodyOf(ctx, props.payload, undefined, undefined);
    await postJson(ctx, "Opsgenie", props.url, body, "url", auth(props.authorizationToken), props.options);
    return {};
  },
});

export const OpsgenieExecution = defineTask({
  type: "io.kestra.plugin.opsgenie.OpsgenieExecution",
  aliases: ["io.kestra.plugin.notifications.opsgenie.OpsgenieExecution"],
  title: "Create an Opsgenie alert with the summary of an execution.",
  description:
    "`message` (default: the summary's title), `description` (the custom message and the link) and the summary fields as `details`, with Kestra's `alias`, `responders`, `visibleTo`, `priority` and `tags`. " +
    "`payload` is accepted and, as by Kestra's, ignored (a warning says so; OpsgenieAlert sends a payload of your own).",
  examples: [
    {
      title: "Alert on failed executions",
      code: `- id: opsgenie
  type: io.kestra.plugin.opsgenie.OpsgenieExecution
  url: https://api.opsgenie.com/v2/alerts
  authorizationToken: "{{ secret('OPSGENIE_KEY') }}"
  executionId: "{{ trigger.executionId }}"
  priority: P1
  responders:
    4513b7ea-3b91-438f-b7e4-e3e54af9147c: team
`,
    },
  ],
  properties: z.object({
    ...common,
    ...summaryProperties,
    payload: ignoredProperty("payload", "OpsgenieAlert"),
    message: z.string().optional().describe("The alert's message (default: the summary's title)."),
    alias: z.string().optional().describe("Opsgenie's de-duplication key."),
    responders: z
      .record(z.string(), z.string())
      .optional()
      .describe("Responder id → type (team, user, escalation, schedule)."),
    visibleTo: z.record(z.string(), z.string()).optional().describe("Id → type of who sees the alert."),
    priority: z.enum(["P1", "P2", "P3", "P4", "P5"]).optional(),
    tags: z.array(z.string()).optional(),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    warnIgnored(ctx, "OpsgenieExecution", props.payload !== undefined ? ["payload"] : [], "OpsgenieAlert");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const x = summary.execution;
    const description = [props.customMessage, x.url].filter(Boolean).join("\n");
    const body = {
      message: props.message ?? summaryTitle(summary),
      ...(props.alias ? { alias: props.alias } : {}),
      ...(description ? { description } : {}),
      ...(props.responders ? { responders: recipients(props.responders) } : {}),
      ...(props.visibleTo ? { visibleTo: recipients(props.visibleTo) } : {}),
      ...(props.priority ? { priority: props.priority } : {}),
      ...(props.tags ? { tags: props.tags } : {}),
      details: Object.fromEntries(summaryFields(summary, props.customFields ?? {})),
    };
    await postJson(
      ctx,
      "Opsgenie",
      props.url,
      JSON.stringify(body),
      "url",
      auth(props.authorizationToken),
      props.options,
    );
    return {};
  },
});
