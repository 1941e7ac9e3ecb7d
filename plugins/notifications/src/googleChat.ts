/** Google Chat: `io.kestra.plugin.googleworkspace.chat.*` (and the older `io.kestra.plugin.notifications.google.*`). */
import { z } from "@saker/sdk";
import { summaryFields, summaryTitle } from "./summary.ts";
import { executionTask, incomingWebhookTask } from "./families.ts";

export const GoogleChatIncomingWebhook = incomingWebhookTask({
  service: "Google Chat",
  type: "io.kestra.plugin.googleworkspace.chat.GoogleChatIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.google.GoogleChatIncomingWebhook"],
  textMessage: (text) => ({ text }),
  examples: [
    {
      title: "Post a message",
      code: `- id: chat
  type: io.kestra.plugin.googleworkspace.chat.GoogleChatIncomingWebhook
  url: "{{ secret('GOOGLE_CHAT_WEBHOOK') }}"
  payload: |
    {"text": "Flow {{ flow.id }} finished"}
`,
    },
  ],
});

export const GoogleChatExecution = executionTask({
  service: "Google Chat",
  type: "io.kestra.plugin.googleworkspace.chat.GoogleChatExecution",
  aliases: ["io.kestra.plugin.notifications.google.GoogleChatExecution"],
  extraProperties: {
    text: z.string().optional().describe("The message's text, in place of the summary (as Kestra's `text`)."),
  },
  textProperty: "text",
  summaryMessage({ summary, customFields, customMessage }) {
    const x = summary.execution;
    const title = x.url ? `<${x.url}|${summaryTitle(summary)}>` : summaryTitle(summary);
    const lines = [
      `*${title}*`,
      ...(customMessage ? [customMessage] : []),
      ...summaryFields(summary, customFields).map(([name, value]) => `${name}: ${value}`),
    ];
    return { text: lines.join("\n") };
  },
  examples: [
    {
      title: "Report failed executions",
      code: `- id: chat
  type: io.kestra.plugin.googleworkspace.chat.GoogleChatExecution
  url: "{{ secret('GOOGLE_CHAT_WEBHOOK') }}"
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
});
