/**
 * PagerDuty: `io.kestra.plugin.pagerduty.{PagerDutyAlert,PagerDutyExecution}` (and the older
 * `io.kestra.plugin.notifications.pagerduty.*`), events of the Events API v2.
 */
import { z } from "@saker/sdk";
import { executionTask, incomingWebhookTask } from "./families.ts";
import { summaryFields, summaryTitle } from "./summary.ts";

const SEVERITIES: Record<string, string> = { FAILED: "error", KILLED: "error", WARNING: "warning" };

export const PagerDutyAlert = incomingWebhookTask({
  service: "PagerDuty",
  type: "io.kestra.plugin.pagerduty.PagerDutyAlert",
  aliases: ["io.kestra.plugin.notifications.pagerduty.PagerDutyAlert"],
  examples: [
    {
      title: "Trigger an incident",
      code: `- id: pagerduty
  type: io.kestra.plugin.pagerduty.PagerDutyAlert
  url: "{{ secret('PAGERDUTY_EVENT') }}" # https://events.pagerduty.com/v2/enqueue
  payload: |
    {"routing_key": "{{ secret('PAGERDUTY_ROUTING_KEY') }}", "event_action": "trigger",
     "payload": {"summary": "{{ flow.id }} failed", "source": "saker", "severity": "error"}}
`,
    },
  ],
});

export const PagerDutyExecution = executionTask({
  service: "PagerDuty",
  type: "io.kestra.plugin.pagerduty.PagerDutyExecution",
  aliases: ["io.kestra.plugin.notifications.pagerduty.PagerDutyExecution"],
  ownTask: "PagerDutyAlert",
  extraProperties: {
    routingKey: z.string().optional().describe("The integration's routing key."),
    eventAction: z.string().default("trigger").describe("`trigger`, `acknowledge` or `resolve` (default `trigger`)."),
    deduplicationKey: z.string().optional().describe("Correlates events of one incident."),
    payloadSummary: z.string().max(1024).optional().describe("The event's summary (default: the summary's title)."),
    // PagerDuty reads an event's text from `payload.summary` only, so `messageText` is that, in the
    // whole event (Kestra's PagerDutyExecution has no `messageText`; its `payloadSummary` is that field).
    messageText: z
      .string()
      .max(1024)
      .optional()
      .describe("The event's `payload.summary`, in place of `payloadSummary` (the rest of the event is kept)."),
  },
  textInSummary: true,
  summaryMessage({ summary, customFields, customMessage }, props) {
    const x = summary.execution;
    const text = (props.messageText ?? props.payloadSummary) as string | undefined;
    return {
      ...(props.routingKey ? { routing_key: props.routingKey } : {}),
      event_action: props.eventAction,
      ...(props.deduplicationKey ? { dedup_key: props.deduplicationKey } : {}),
      payload: {
        summary: text ?? summaryTitle(summary),
        source: `${x.namespace}.${x.flowId}`,
        severity: SEVERITIES[x.state] ?? "info",
        timestamp: x.endDate ?? x.startDate,
        custom_details: {
          ...(customMessage ? { Message: customMessage } : {}),
          ...Object.fromEntries(summaryFields(summary, customFields)),
        },
      },
      ...(x.url ? { links: [{ href: x.url, text: "Execution" }] } : {}),
    };
  },
  examples: [
    {
      title: "Open an incident for a failed execution",
      code: `- id: pagerduty
  type: io.kestra.plugin.pagerduty.PagerDutyExecution
  url: https://events.pagerduty.com/v2/enqueue
  routingKey: "{{ secret('PAGERDUTY_ROUTING_KEY') }}"
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
});
