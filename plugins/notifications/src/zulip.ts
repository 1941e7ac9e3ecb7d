/**
 * Zulip: `io.kestra.plugin.zulip.*` (and the older `io.kestra.plugin.notifications.zulip.*`). Zulip's
 * incoming webhook URL is its Slack-compatible integration, so the messages are Slack's.
 */
import { executionTask, incomingWebhookTask } from "./families.ts";
import { slackSenderProperties, slackSummaryMessage } from "./slack.ts";

export const ZulipIncomingWebhook = incomingWebhookTask({
  service: "Zulip",
  type: "io.kestra.plugin.zulip.ZulipIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.zulip.ZulipIncomingWebhook"],
  textMessage: (text) => ({ text }),
  examples: [
    {
      title: "Post a message",
      code: `- id: zulip
  type: io.kestra.plugin.zulip.ZulipIncomingWebhook
  url: "{{ secret('ZULIP_WEBHOOK') }}" # https://your.zulipchat.com/api/v1/external/slack_incoming?api_key=…
  payload: |
    {"text": "Flow {{ flow.id }} finished"}
`,
    },
  ],
});

export const ZulipExecution = executionTask({
  service: "Zulip",
  type: "io.kestra.plugin.zulip.ZulipExecution",
  aliases: ["io.kestra.plugin.notifications.zulip.ZulipExecution"],
  extraProperties: slackSenderProperties,
  summaryMessage: slackSummaryMessage,
  examples: [
    {
      title: "Report failed executions",
      code: `- id: zulip
  type: io.kestra.plugin.zulip.ZulipExecution
  url: "{{ secret('ZULIP_WEBHOOK') }}"
  channel: "#general"
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
});
