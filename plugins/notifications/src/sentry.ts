/**
 * Sentry: `io.kestra.plugin.sentry.{SentryAlert,SentryExecution}` (and the older
 * `io.kestra.plugin.notifications.sentry.*`): one event sent to the project of a DSN, through the
 * envelope endpoint (default) or the older store endpoint.
 */
import { randomUUID } from "node:crypto";
import { SakerError, defineTask, z, type RunContext } from "@saker/sdk";
import { bodyOf, ignoredProperty, summaryProperties, warnIgnored } from "./families.ts";
import { summarize, summaryFields, summaryTitle } from "./summary.ts";
import { locate, optionsProperty, postJson, webhookUrl, type HttpOptions } from "./webhook.ts";

const common = {
  dsn: z.string().min(1).describe("The project's DSN, `https://<key>@<host>/<project>`."),
  endpointType: z.enum(["ENVELOPE", "STORE"]).default("ENVELOPE").describe("Sentry's ingest endpoint."),
  options: optionsProperty,
};

/** The endpoint URL and auth header a DSN stands for. */
function target(ctx: RunContext, dsn: string, endpointType: "ENVELOPE" | "STORE") {
  const url = webhookUrl(ctx, dsn, "dsn");
  const segments = url.pathname.split("/").filter(Boolean);
  const project = segments.pop();
  if (!url.username || !project)
    throw new SakerError(
      "NOTIFICATION_BAD_URL",
      "a Sentry DSN looks like https://<key>@<host>/<project>",
      locate(ctx, "dsn"),
    );
  const prefix = segments.length ? `/${segments.join("/")}` : "";
  return {
    url: `${url.protocol}//${url.host}${prefix}/api/${project}/${endpointType === "STORE" ? "store" : "envelope"}/`,
    headers: {
      "x-sentry-auth": `Sentry sentry_version=7, sentry_client=saker-notifications/1.0, sentry_key=${decodeURIComponent(url.username)}`,
      ...(endpointType === "ENVELOPE" ? { "content-type": "application/x-sentry-envelope" } : {}),
    },
  };
}

async function sendEvent(
  ctx: RunContext,
  props: { dsn: string; endpointType: "ENVELOPE" | "STORE"; options?: HttpOptions | undefined },
  event: Record<string, unknown>,
): Promise<void> {
  const withId = { event_id: randomUUID().replace(/-/g, ""), ...event };
  const { url, headers } = target(ctx, props.dsn, props.endpointType);
  const json = JSON.stringify(withId);
  const body =
    props.endpointType === "STORE"
      ? json
      : `${JSON.stringify({ event_id: withId.event_id })}\n${JSON.stringify({ type: "event", length: Buffer.byteLength(json) })}\n${json}`;
  await postJson(ctx, "Sentry", url, body, "dsn", headers, props.options);
}

export const SentryAlert = defineTask({
  type: "io.kestra.plugin.sentry.SentryAlert",
  aliases: ["io.kestra.plugin.notifications.sentry.SentryAlert"],
  title: "Send an event to Sentry.",
  description:
    "Sends `payload` (a Sentry event, rendered; an `event_id` is generated when it has none), or by default an error event naming this execution.",
  examples: [
    {
      title: "Alert on failure",
      code: `- id: sentry
  type: io.kestra.plugin.sentry.SentryAlert
  dsn: "{{ secret('SENTRY_DSN') }}"
`,
    },
  ],
  properties: z.object({ ...common, payload: z.string().optional().describe("The event's JSON, rendered.") }),
  outputs: z.object({}),
  async run(props, ctx) {
    target(ctx, props.dsn, props.endpointType);
    const event =
      props.payload !== undefined
        ? (JSON.parse(bodyOf(ctx, props.payload, undefined, undefined)) as Record<string, unknown>)
        : {
            timestamp: new Date().toISOString(),
            platform: "javascript",
            level: "error",
            message: { message: `Execution ${ctx.execution.id} failed` },
            extra: { Namespace: ctx.flow.namespace, "Flow ID": ctx.flow.id, "Execution ID": ctx.execution.id },
          };
    await sendEvent(ctx, props, event);
    return {};
  },
});

export const SentryExecution = defineTask({
  type: "io.kestra.plugin.sentry.SentryExecution",
  aliases: ["io.kestra.plugin.notifications.sentry.SentryExecution"],
  title: "Send a Sentry event with the summary of an execution.",
  description:
    "The message is `customMessage` (default: the summary's title); the summary fields and the link go in `extra`. " +
    "`payload` is accepted and, as by Kestra's, ignored (a warning says so; SentryAlert sends an event of your own).",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: sentry
  type: io.kestra.plugin.sentry.SentryExecution
  dsn: "{{ secret('SENTRY_DSN') }}"
  level: ERROR
  executionId: "{{ trigger.executionId }}"
  transaction: "/execution/id/{{ trigger.executionId }}"
`,
    },
  ],
  properties: z.object({
    ...common,
    ...summaryProperties,
    payload: ignoredProperty("payload", "SentryAlert"),
    eventId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional()
      .describe("32 hex digits (default: generated)."),
    level: z.enum(["FATAL", "ERROR", "WARNING", "INFO", "DEBUG"]).default("ERROR"),
    platform: z.string().default("JAVA").describe("Sentry's platform name, upper case as Kestra writes it."),
    transaction: z.string().optional(),
    serverName: z.string().optional(),
    extra: z.record(z.string(), z.unknown()).optional().describe("More values under `extra`."),
    errors: z.record(z.string(), z.unknown()).optional().describe("Sentry's `errors`, as given."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    target(ctx, props.dsn, props.endpointType);
    warnIgnored(ctx, "SentryExecution", props.payload !== undefined ? ["payload"] : [], "SentryAlert");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const x = summary.execution;
    await sendEvent(ctx, props, {
      ...(props.eventId ? { event_id: props.eventId } : {}),
      timestamp: x.endDate ?? x.startDate,
      platform: props.platform.toLowerCase(),
      level: props.level.toLowerCase(),
      ...(props.transaction ? { transaction: props.transaction } : {}),
      ...(props.serverName ? { server_name: props.serverName } : {}),
      message: { message: props.customMessage ?? summaryTitle(summary) },
      extra: {
        ...Object.fromEntries(summaryFields(summary, props.customFields ?? {})),
        ...(x.url ? { Link: x.url } : {}),
        ...(props.extra ?? {}),
      },
      ...(props.errors ? { errors: props.errors } : {}),
    });
    return {};
  },
});
