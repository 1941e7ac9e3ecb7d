/** Slack: `io.kestra.plugin.slack.notifications.*` (and the older `io.kestra.plugin.notifications.slack.*`). */
import { z } from "@saker/sdk";
import { summaryFields, summaryTitle } from "./summary.ts";
import { executionTask, incomingWebhookTask, type ExecutionMessageInput } from "./families.ts";

const STATE_COLORS: Record<string, string> = {
  SUCCESS: "#2eb886",
  WARNING: "#f0ad4e",
  FAILED: "#d9534f",
  KILLED: "#6c757d",
};

export const SlackIncomingWebhook = incomingWebhookTask({
  service: "Slack",
  type: "io.kestra.plugin.slack.notifications.SlackIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.slack.SlackIncomingWebhook"],
  textMessage: (text) => ({ text }),
  examples: [
    {
      title: "Alert on failure",
      full: true,
      code: `id: unreliable
namespace: company.team
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
errors:
  - id: alert
    type: io.kestra.plugin.slack.notifications.SlackIncomingWebhook
    url: "{{ secret('SLACK_WEBHOOK') }}"
    messageText: "Flow {{ flow.namespace }}.{{ flow.id }} failed ({{ execution.id }})"
`,
    },
  ],
});

/** Slack's sender overrides; Zulip's Slack-compatible integration takes the same. */
export const slackSenderProperties = {
  channel: z.string().optional().describe("Channel to post to, when the webhook allows overriding it."),
  username: z.string().optional().describe("Sender name shown."),
  iconUrl: z.string().optional().describe("Sender icon, as a URL."),
  iconEmoji: z.string().optional().describe("Sender icon, as an emoji (`:rocket:`)."),
};

/** The summary as a Slack message: linked title, custom message, an attachment of fields coloured by state. */
export function slackSummaryMessage(
  { summary, customFields, customMessage }: ExecutionMessageInput,
  props: Record<string, unknown>,
): Record<string, unknown> {
  const x = summary.execution;
  const title = x.url ? `<${x.url}|${summaryTitle(summary)}>` : summaryTitle(summary);
  return {
    ...(props.channel ? { channel: props.channel } : {}),
    ...(props.username ? { username: props.username } : {}),
    ...(props.iconUrl ? { icon_url: props.iconUrl } : {}),
    ...(props.iconEmoji ? { icon_emoji: props.iconEmoji } : {}),
    text: customMessage ? `${title}\n${customMessage}` : title,
    attachments: [
      {
        color: STATE_COLORS[x.state] ?? "#439fe0",
        fields: summaryFields(summary, customFields).map(([title, value]) => ({ title, value, short: true })),
      },
    ],
  };
}

export const SlackExecution = executionTask({
  service: "Slack",
  type: "io.kestra.plugin.slack.notifications.SlackExecution",
  aliases: ["io.kestra.plugin.notifications.slack.SlackExecution"],
  // Kestra's SlackExecution has SlackIncomingWebhook's `messageText`, but sends its payload (the
  // summary) first, so never the text.
  ignoresMessageText: true,
  extraProperties: slackSenderProperties,
  summaryMessage: slackSummaryMessage,
  examples: [
    {
      title: "Report failed executions of a namespace",
      full: true,
      code: `id: failure_alert
namespace: company.team
tasks:
  - id: send_alert
    type: io.kestra.plugin.slack.notifications.SlackExecution
    url: "{{ secret('SLACK_WEBHOOK') }}"
    channel: "#alerts"
    executionId: "{{ trigger.executionId }}"
    customMessage: "Production run needs attention"
    customFields:
      Team: data
triggers:
  - id: on_failure
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [FAILED, WARNING]
`,
    },
  ],
});
