/**
 * LINE: `io.kestra.plugin.line.LineExecution` (and the older
 * `io.kestra.plugin.notifications.line.LineExecution`): a text broadcast of the Messaging API to
 * everyone who added the Official Account, authenticated with a channel access token.
 */
import { defineTask, z } from "@saker/sdk";
import { summaryProperties } from "./families.ts";
import { summarize, summaryLines } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

export const LineExecution = defineTask({
  type: "io.kestra.plugin.line.LineExecution",
  aliases: ["io.kestra.plugin.notifications.line.LineExecution"],
  title: "Broadcast a LINE message with the summary of an execution, or a text of your own.",
  description:
    "POSTs `{messages: [{type: text, text}]}` to `url` with `Authorization: Bearer <channelAccessToken>`; the text is `textBody` " +
    "when set, else the summary's lines. LINE limits broadcasts (60 requests an hour). A 4xx or 5xx answer fails the task with LINE's answer.",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: line
  type: io.kestra.plugin.line.LineExecution
  channelAccessToken: "{{ secret('LINE_CHANNEL_ACCESS_TOKEN') }}"
  executionId: "{{ trigger.executionId }}"
  customMessage: Production run failed
`,
    },
    {
      title: "Broadcast a text",
      code: `- id: line
  type: io.kestra.plugin.line.LineExecution
  channelAccessToken: "{{ secret('LINE_CHANNEL_ACCESS_TOKEN') }}"
  textBody: "{{ flow.id }} finished"
`,
    },
  ],
  properties: z.object({
    url: z
      .string()
      .min(1)
      .default("https://api.line.me/v2/bot/message/broadcast")
      .describe("The Messaging API's broadcast URL."),
    channelAccessToken: z.string().min(1).describe("The channel access token; keep it in a secret."),
    textBody: z.string().optional().describe("A text sent in place of the summary (no execution is read)."),
    options: optionsProperty,
    ...summaryProperties,
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    let text = props.textBody;
    if (text === undefined) {
      const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
      text = summaryLines(summary, props.customMessage, props.customFields).join("\n");
    }
    const body = JSON.stringify({ messages: [{ type: "text", text }] });
    const auth = { authorization: `Bearer ${props.channelAccessToken}` };
    await postJson(ctx, "LINE", props.url, body, "url", auth, props.options);
    return {};
  },
});
