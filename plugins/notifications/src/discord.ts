/** Discord: `io.kestra.plugin.discord.*` (and the older `io.kestra.plugin.notifications.discord.*`). */
import { z } from "@saker/sdk";
import { summaryFields, summaryTitle } from "./summary.ts";
import { executionTask, incomingWebhookTask } from "./families.ts";

/** Discord colours are one integer; Kestra's embeds give `[r, g, b]`. */
const rgb = ([r = 0, g = 0, b = 0]: readonly number[]) => (r << 16) + (g << 8) + b;

const STATE_COLORS: Record<string, number> = {
  SUCCESS: 0x2eb886,
  WARNING: 0xf0ad4e,
  FAILED: 0xd9534f,
  KILLED: 0x6c757d,
};

const Embed = z.object({
  title: z.string().optional(),
  description: z.string().optional(),
  websiteUrl: z.string().optional(),
  authorName: z.string().optional(),
  thumbnail: z.string().optional(),
  footer: z.string().optional(),
  color: z.array(z.number().int().min(0).max(255)).max(3).optional().describe("`[r, g, b]`."),
});

/** Discord's webhook takes a message's text as `content`. */
const textMessage = (text: string) => ({ content: text });

export const DiscordIncomingWebhook = incomingWebhookTask({
  service: "Discord",
  type: "io.kestra.plugin.discord.DiscordIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.discord.DiscordIncomingWebhook"],
  textMessage,
  examples: [
    {
      title: "Post a message",
      code: `- id: discord
  type: io.kestra.plugin.discord.DiscordIncomingWebhook
  url: "{{ secret('DISCORD_WEBHOOK') }}"
  payload: |
    {"username": "Saker", "content": "Flow {{ flow.id }} finished"}
`,
    },
  ],
});

export const DiscordExecution = executionTask({
  service: "Discord",
  type: "io.kestra.plugin.discord.DiscordExecution",
  aliases: ["io.kestra.plugin.notifications.discord.DiscordExecution"],
  textMessage,
  // Kestra's DiscordTemplate, alone of them, sends a payload that is not blank as it is.
  payloadReplacesSummary: true,
  extraProperties: {
    username: z.string().optional().describe("Sender name shown."),
    avatarUrl: z.string().optional().describe("Sender avatar, as a URL."),
    content: z.string().optional().describe("Message text above the embeds (default: the summary's title)."),
    embedList: z.array(Embed).optional().describe("More embeds after the summary's."),
  },
  summaryMessage({ summary, customFields, customMessage }, props) {
    const x = summary.execution;
    const embeds = (props.embedList ?? []) as z.output<typeof Embed>[];
    return {
      ...(props.username ? { username: props.username } : {}),
      ...(props.avatarUrl ? { avatar_url: props.avatarUrl } : {}),
      content: (props.content as string | undefined) ?? summaryTitle(summary),
      embeds: [
        {
          title: summaryTitle(summary),
          ...(x.url ? { url: x.url } : {}),
          ...(customMessage ? { description: customMessage } : {}),
          color: STATE_COLORS[x.state] ?? 0x439fe0,
          fields: summaryFields(summary, customFields).map(([name, value]) => ({ name, value, inline: true })),
        },
        ...embeds.map((e) => ({
          ...(e.title ? { title: e.title } : {}),
          ...(e.description ? { description: e.description } : {}),
          ...(e.websiteUrl ? { url: e.websiteUrl } : {}),
          ...(e.authorName ? { author: { name: e.authorName } } : {}),
          ...(e.thumbnail ? { thumbnail: { url: e.thumbnail } } : {}),
          ...(e.footer ? { footer: { text: e.footer } } : {}),
          ...(e.color ? { color: rgb(e.color) } : {}),
        })),
      ],
    };
  },
  examples: [
    {
      title: "Report failed executions",
      code: `- id: discord
  type: io.kestra.plugin.discord.DiscordExecution
  url: "{{ secret('DISCORD_WEBHOOK') }}"
  username: Saker
  executionId: "{{ trigger.executionId }}"
  embedList:
    - title: On-call
      description: "Ping #data-oncall"
      color: [255, 0, 0]
`,
    },
  ],
});
