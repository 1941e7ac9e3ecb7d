/**
 * Telegram: `io.kestra.plugin.telegram.{TelegramSend,TelegramExecution}` (and the older
 * `io.kestra.plugin.notifications.telegram.*`), through the Bot API's `sendMessage`.
 */
import { defineTask, z, type RunContext } from "@saker/sdk";
import { summaryProperties } from "./families.ts";
import { summarize, summaryLines } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

const PARSE_MODES = { HTML: "HTML", MARKDOWNV2: "MarkdownV2" } as const;

const botProperties = {
  token: z.string().min(1).describe("The bot's token; keep it in a secret."),
  channel: z.string().min(1).describe("The chat or channel id to send to."),
  endpointOverride: z.string().optional().describe("The Bot API base URL (default `https://api.telegram.org`)."),
  parseMode: z.enum(["HTML", "MARKDOWNV2"]).optional().describe("How Telegram formats the text."),
  options: optionsProperty,
};

function endpoint(props: { endpointOverride?: string | undefined }): string {
  return (props.endpointOverride ?? "https://api.telegram.org").replace(/\/+$/, "");
}

async function sendMessage(
  ctx: RunContext,
  props: z.output<z.ZodObject<typeof botProperties>>,
  text: string,
): Promise<void> {
  const base = endpoint(props);
  webhookUrl(ctx, base, "endpointOverride");
  const body = JSON.stringify({
    chat_id: props.channel,
    text,
    ...(props.parseMode ? { parse_mode: PARSE_MODES[props.parseMode] } : {}),
  });
  await postJson(ctx, "Telegram", `${base}/bot${props.token}/sendMessage`, body, "endpointOverride", {}, props.options);
}

export const TelegramSend = defineTask({
  type: "io.kestra.plugin.telegram.TelegramSend",
  aliases: ["io.kestra.plugin.notifications.telegram.TelegramSend"],
  title: "Send a Telegram message through a bot.",
  description:
    "Calls the Bot API's `sendMessage` with `payload` as the message text. A refusal fails the task with Telegram's answer.",
  examples: [
    {
      title: "Alert on failure",
      code: `- id: telegram
  type: io.kestra.plugin.telegram.TelegramSend
  token: "{{ secret('TELEGRAM_TOKEN') }}"
  channel: "2072728690"
  payload: "Flow {{ flow.id }} failed"
`,
    },
  ],
  properties: z.object({ ...botProperties, payload: z.string().optional().describe("The message text.") }),
  outputs: z.object({}),
  async run(props, ctx) {
    await sendMessage(ctx, props, props.payload ?? "");
    return {};
  },
});

export const TelegramExecution = defineTask({
  type: "io.kestra.plugin.telegram.TelegramExecution",
  aliases: ["io.kestra.plugin.notifications.telegram.TelegramExecution"],
  title: "Send a Telegram message with the summary of an execution.",
  description:
    "The summary (title, link from configuration `server.url`, custom message, then one `Label: value` line per field) as the text of a `sendMessage` call.",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: telegram
  type: io.kestra.plugin.telegram.TelegramExecution
  token: "{{ secret('TELEGRAM_TOKEN') }}"
  channel: "2072728690"
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
  properties: z.object({
    ...botProperties,
    ...summaryProperties,
    payload: z
      .string()
      .optional()
      .describe("Ignored, as by Kestra's TelegramExecution: the summary is the message (TelegramSend sends a text)."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    if (props.payload !== undefined)
      ctx.logger.warn(
        "payload is ignored by TelegramExecution, as by Kestra's: the execution's summary is sent (customMessage adds a line; TelegramSend sends a text of your own)",
      );
    webhookUrl(ctx, endpoint(props), "endpointOverride");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    await sendMessage(ctx, props, summaryLines(summary, props.customMessage, props.customFields).join("\n"));
    return {};
  },
});
