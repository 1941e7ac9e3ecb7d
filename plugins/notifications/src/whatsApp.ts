/**
 * WhatsApp: `io.kestra.plugin.meta.whatsapp.{WhatsAppIncomingWebhook,WhatsAppExecution}` (and the
 * older `io.kestra.plugin.notifications.whatsapp.*`): a JSON body in WhatsApp's webhook shape
 * (`contacts`, `messages`) POSTed to a webhook URL of your own.
 */
import { defineTask, z } from "@saker/sdk";
import { bodyOf, ignoredProperty, summaryProperties, warnIgnored } from "./families.ts";
import { summarize, summaryLines } from "./summary.ts";
import { optionsProperty, postJson, webhookUrl } from "./webhook.ts";

const url = z.string().min(1).describe("The webhook URL (from WhatsApp's integrations tab).");

export const WhatsAppIncomingWebhook = defineTask({
  type: "io.kestra.plugin.meta.whatsapp.WhatsAppIncomingWebhook",
  aliases: ["io.kestra.plugin.notifications.whatsapp.WhatsAppIncomingWebhook"],
  title: "Send a WhatsApp message through a webhook.",
  description: "POSTs `payload` to `url`. A 4xx or 5xx answer fails the task with the webhook's answer.",
  examples: [
    {
      title: "Alert on failure",
      code: `- id: whatsapp
  type: io.kestra.plugin.meta.whatsapp.WhatsAppIncomingWebhook
  url: "{{ secret('WHATSAPP_WEBHOOK') }}"
  payload: '{"profileName": "Saker", "whatsAppIds": ["380999999999"], "from": "380888888888"}'
`,
    },
  ],
  properties: z.object({
    url,
    payload: z.string().optional().describe("The JSON body, rendered."),
    options: optionsProperty,
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    await postJson(
      ctx,
      "WhatsApp",
      props.url,
      bodyOf(ctx, props.payload, undefined, undefined),
      "url",
      {},
      props.options,
    );
    return {};
  },
});

export const WhatsAppExecution = defineTask({
  type: "io.kestra.plugin.meta.whatsapp.WhatsAppExecution",
  aliases: ["io.kestra.plugin.notifications.whatsapp.WhatsAppExecution"],
  title: "Send a WhatsApp message with the summary of an execution.",
  description:
    "A body `{contacts, messages: [{text: {body}, type: text}]}` whose `text.body` is the summary's lines. With `profileName` and " +
    "`whatsAppIds`, `contacts` holds one `{profile: {name}, wa_id}` per id; with `from`, the message also has `from`, `id` " +
    "(`messageId`) and, when `textBody` is set, that text as `text.body`; `recipientId` is sent as `recipient_id`. " +
    "`payload` is accepted and, as by Kestra's, ignored (a warning says so; WhatsAppIncomingWebhook sends a payload of your own).",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: whatsapp
  type: io.kestra.plugin.meta.whatsapp.WhatsAppExecution
  url: "{{ secret('WHATSAPP_WEBHOOK') }}"
  profileName: Saker
  whatsAppIds: ["380999999999"]
  from: "380888888888"
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
  properties: z.object({
    url,
    options: optionsProperty,
    ...summaryProperties,
    payload: ignoredProperty("payload", "WhatsAppIncomingWebhook"),
    profileName: z.string().optional().describe("The sender's profile name (sent with `whatsAppIds`)."),
    whatsAppIds: z.array(z.string()).optional().describe("The contacts' WhatsApp ids."),
    from: z.string().optional().describe("The sender's WhatsApp id (phone number)."),
    messageId: z.string().optional().describe("The message id (sent with `from`)."),
    textBody: z
      .string()
      .optional()
      .describe("The message text in place of the summary (only with `from`, as in Kestra)."),
    recipientId: z.string().optional().describe("Sent as `recipient_id`."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    warnIgnored(ctx, "WhatsAppExecution", props.payload !== undefined ? ["payload"] : [], "WhatsAppIncomingWebhook");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const text = { body: summaryLines(summary, props.customMessage, props.customFields) as string[] | string };
    const contacts =
      props.profileName !== undefined && props.whatsAppIds?.length
        ? props.whatsAppIds.map((id) => ({ profile: { name: props.profileName }, wa_id: id }))
        : [];
    const message =
      props.from !== undefined
        ? {
            from: props.from,
            ...(props.messageId !== undefined ? { id: props.messageId } : {}),
            text: props.textBody !== undefined ? { body: props.textBody } : text,
            type: "text",
          }
        : { text, type: "text" };
    const body = {
      contacts,
      messages: [message],
      ...(props.recipientId !== undefined ? { recipient_id: props.recipientId } : {}),
    };
    await postJson(ctx, "WhatsApp", props.url, JSON.stringify(body), "url", {}, props.options);
    return {};
  },
});
