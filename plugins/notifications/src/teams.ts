/** Microsoft Teams: `io.kestra.plugin.microsoft365.teams.*` (and the older `io.kestra.plugin.notifications.teams.*`). */
import { z } from "@saker/sdk";
import { summaryFields, summaryTitle } from "./summary.ts";
import { executionTask, incomingWebhookTask } from "./families.ts";

export const TeamsIncomingWebhook = incomingWebhookTask({
  service: "Microsoft Teams",
  type: "io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.teams.TeamsIncomingWebhook"],
  textMessage: (text) => ({ text }),
  examples: [
    {
      title: "Post a message card",
      code: `- id: teams
  type: io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook
  url: "{{ secret('TEAMS_WEBHOOK') }}"
  payload: |
    {"@type": "MessageCard", "@context": "http://schema.org/extensions",
     "summary": "Flow {{ flow.id }} finished", "text": "Flow {{ flow.id }} finished"}
`,
    },
  ],
});

export const TeamsExecution = executionTask({
  service: "Microsoft Teams",
  type: "io.kestra.plugin.microsoft365.teams.TeamsExecution",
  aliases: ["io.kestra.plugin.notifications.teams.TeamsExecution"],
  extraProperties: {
    themeColor: z.string().default("0076D7").describe("The card's accent colour, hex without `#`."),
    activityTitle: z.string().optional().describe("The section's title (default: the summary's title)."),
    activitySubtitle: z.string().optional().describe("The section's subtitle."),
  },
  summaryMessage({ summary, customFields, customMessage }, props) {
    const x = summary.execution;
    return {
      "@type": "MessageCard",
      "@context": "http://schema.org/extensions",
      themeColor: props.themeColor,
      summary: summaryTitle(summary),
      sections: [
        {
          activityTitle: (props.activityTitle as string | undefined) ?? summaryTitle(summary),
          ...(props.activitySubtitle ? { activitySubtitle: props.activitySubtitle } : {}),
          ...(customMessage ? { text: customMessage } : {}),
          facts: summaryFields(summary, customFields).map(([name, value]) => ({ name, value })),
          markdown: true,
        },
      ],
      ...(x.url
        ? {
            potentialAction: [
              { "@type": "OpenUri", name: "Open the execution", targets: [{ os: "default", uri: x.url }] },
            ],
          }
        : {}),
    };
  },
  examples: [
    {
      title: "Report failed executions",
      code: `- id: teams
  type: io.kestra.plugin.microsoft365.teams.TeamsExecution
  url: "{{ secret('TEAMS_WEBHOOK') }}"
  activityTitle: Saker alert
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
});
