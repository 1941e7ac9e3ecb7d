/**
 * Twilio Notify: `io.kestra.plugin.twilio.notify.{TwilioAlert,TwilioExecution}` (and the older
 * `io.kestra.plugin.notifications.twilio.*`). A form-encoded POST to a Notify service's
 * `Notifications` URL, with the account SID and auth token as HTTP Basic credentials.
 */
import { SakerError, defineTask, z, type RunContext } from "@saker/sdk";
import { bodyOf, ignoredProperty, summaryProperties, warnIgnored } from "./families.ts";
import { summarize, summaryLines } from "./summary.ts";
import { locate, optionsProperty, postForm, webhookUrl, type HttpOptions } from "./webhook.ts";

const common = {
  url: z
    .string()
    .min(1)
    .describe("The Notify service's URL (`https://notify.twilio.com/v1/Services/IS…/Notifications`)."),
  accountSID: z.string().min(1).describe("The account SID, the user of the HTTP Basic credentials."),
  authToken: z
    .string()
    .min(1)
    .describe("The auth token, the password of the HTTP Basic credentials; keep it in a secret."),
  options: optionsProperty,
};

const basic = (sid: string, token: string) => ({
  authorization: `Basic ${Buffer.from(`${sid}:${token}`, "utf8").toString("base64")}`,
});

function send(
  ctx: RunContext,
  props: { url: string; accountSID: string; authToken: string; options?: HttpOptions | undefined },
  fields: Record<string, unknown>,
) {
  return postForm(ctx, "Twilio", props.url, fields, "url", basic(props.accountSID, props.authToken), props.options);
}

export const TwilioAlert = defineTask({
  type: "io.kestra.plugin.twilio.notify.TwilioAlert",
  aliases: ["io.kestra.plugin.notifications.twilio.TwilioAlert"],
  title: "Send a Twilio Notify notification from a JSON payload.",
  description:
    "POSTs the fields of `payload` (a JSON object) form-encoded to `url`, authenticated with `accountSID` and `authToken`. " +
    "A 4xx or 5xx answer fails the task with Twilio's answer.",
  examples: [
    {
      title: "Notify on failure",
      code: `- id: twilio
  type: io.kestra.plugin.twilio.notify.TwilioAlert
  url: "{{ secret('TWILIO_NOTIFICATION_URL') }}"
  accountSID: "{{ secret('TWILIO_ACCOUNT_SID') }}"
  authToken: "{{ secret('TWILIO_AUTH_TOKEN') }}"
  payload: '{"Identity": "0000001", "Body": "{{ flow.id }} failed"}'
`,
    },
  ],
  properties: z.object({
    ...common,
    payload: z.string().optional().describe("A JSON object, rendered; each field is sent as a form field."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    const fields = JSON.parse(bodyOf(ctx, props.payload, undefined, undefined)) as unknown;
    if (typeof fields !== "object" || fields === null || Array.isArray(fields))
      throw new SakerError("NOTIFICATION_BAD_PAYLOAD", "payload must be a JSON object (its fields are the form's)", {
        ...locate(ctx, "payload"),
      });
    await send(ctx, props, fields as Record<string, unknown>);
    return {};
  },
});

export const TwilioExecution = defineTask({
  type: "io.kestra.plugin.twilio.notify.TwilioExecution",
  aliases: ["io.kestra.plugin.notifications.twilio.TwilioExecution"],
  title: "Send a Twilio Notify notification with the summary of an execution.",
  description:
    "Sends the summary as text in the form field `body` (the field Kestra's template fills), with `Body`, `Identity` and `Tag` from " +
    "the properties `body`, `identity` and `tag`. `payload` is accepted and, as by Kestra's, ignored (a warning says so; TwilioAlert sends a payload of your own).",
  examples: [
    {
      title: "Report failed executions",
      code: `- id: twilio
  type: io.kestra.plugin.twilio.notify.TwilioExecution
  url: "{{ secret('TWILIO_NOTIFICATION_URL') }}"
  accountSID: "{{ secret('TWILIO_ACCOUNT_SID') }}"
  authToken: "{{ secret('TWILIO_AUTH_TOKEN') }}"
  identity: "0000001"
  executionId: "{{ trigger.executionId }}"
`,
    },
  ],
  properties: z.object({
    ...common,
    ...summaryProperties,
    payload: ignoredProperty("payload", "TwilioAlert"),
    body: z.string().optional().describe("Sent as the form field `Body`, next to the summary in `body`."),
    identity: z.string().optional().describe("Sent as `Identity`: the user whose devices are notified."),
    tag: z.string().optional().describe("Sent as `Tag`: the users with this tag are notified."),
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    warnIgnored(ctx, "TwilioExecution", props.payload !== undefined ? ["payload"] : [], "TwilioAlert");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    await send(ctx, props, {
      body: summaryLines(summary, props.customMessage, props.customFields).join("\n"),
      Body: props.body,
      Identity: props.identity,
      Tag: props.tag,
    });
    return {};
  },
});
