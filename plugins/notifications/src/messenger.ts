/**
 * Facebook Messenger: `io.kestra.plugin.meta.messenger.MessengerExecution` (and the older
 * `io.kestra.plugin.notifications.messenger.MessengerExecution`): one Send API call per
 * recipient, from a Page, with the Page's access token.
 */
import { defineTask, z } from "@saker/sdk";
import { summaryProperties } from "./families.ts";
import { summarize, summaryLines } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

export const MessengerExecution = defineTask({
  type: "io.kestra.plugin.meta.messenger.MessengerExecution",
  aliases: ["io.kestra.plugin.notifications.messenger.MessengerExecution"],
  title: "Send a Messenger message with the summary of an execution.",
  description:
    "POSTs `{recipient: {id}, messaging_type, message: {text}}` once per id of `recipientIds`, the text being the summary's lines, to " +
    "`https://graph.facebook.com/v23.0/<pageId>/messages?access_token=<accessToken>` (or to `url`, as it is). " +
    "A 4xx or 5xx answer fails the task with the Graph API's answer (the recipients before it have been sent to). " +
    "`textBody` is accepted and, as by Kestra's, ignored with a warning.",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: messenger
  type: io.kestra.plugin.meta.messenger.MessengerExecution
  pageId: "9876543214587"
  accessToken: "{{ secret('MESSENGER_ACCESS_TOKEN') }}"
  recipientIds: ["24745216345137108"]
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
  properties: z.object({
    pageId: z.string().min(1).describe("The Page that sends the messages."),
    accessToken: z.string().min(1).describe("The Page access token (`pages_messaging`); keep it in a secret."),
    recipientIds: z.array(z.string().min(1)).min(1).describe("The recipients' page-scoped ids (PSIDs)."),
    messagingType: z
      .enum(["RESPONSE", "UPDATE", "MESSAGE_TAG"])
      .default("UPDATE")
      .describe("Sent as `messaging_type`."),
    textBody: z
      .string()
      .optional()
      .describe(
        "Accepted as Kestra's is, and ignored as Kestra's MessengerExecution ignores it, with a warning: the summary is sent.",
      ),
    url: z
      .string()
      .optional()
      .describe("A URL used in place of the Graph API's, as it is (no access token is added to it)."),
    options: optionsProperty,
    ...summaryProperties,
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    const path = props.url !== undefined ? "url" : "pageId";
    const url =
      props.url ??
      `https://graph.facebook.com/v23.0/${encodeURIComponent(props.pageId)}/messages?access_token=${encodeURIComponent(props.accessToken)}`;
    webhookUrl(ctx, url, path);
    if (props.textBody !== undefined)
      ctx.logger.warn(
        "textBody is ignored by MessengerExecution, as by Kestra's: the execution's summary is sent (customMessage and customFields add to it)",
      );
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const text = summaryLines(summary, props.customMessage, props.customFields).join("\n");
    for (const id of props.recipientIds) {
      const body = { recipient: { id }, messaging_type: props.messagingType, message: { text } };
      await postJson(ctx, "Messenger", url, JSON.stringify(body), path, {}, props.options);
      ctx.logger.debug("Messenger message sent to {}", id);
    }
    return {};
  },
});
