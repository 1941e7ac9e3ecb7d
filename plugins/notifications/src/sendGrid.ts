/**
 * SendGrid: `io.kestra.plugin.twilio.sendgrid.{SendGridMailSend,SendGridMailExecution}` (and the
 * older `io.kestra.plugin.notifications.sendgrid.*`). One POST of the v3 Mail Send API's JSON to
 * `url` with the API key as a bearer token; files from internal storage travel base64-encoded in
 * `attachments`. Kestra's tasks build the same request with SendGrid's Java SDK, which leaves out
 * what is not set (`cc`, `subject`, `content`, `attachments`).
 */
import {
  NonRetryableError,
  SakerError,
  defineTask,
  errorMessage,
  summaryHtml,
  summaryText,
  z,
  type RunContext,
} from "@saker/sdk";
import { executionProperties, warnIgnored } from "./families.ts";
import { summarize } from "./summary.ts";
import { locate, postJsonAnswer, webhookUrl } from "./webhook.ts";

const SENDGRID_URL = "https://api.sendgrid.com/v3/mail/send";
/** What Kestra's task sends as the text part when `textContent` renders to nothing; sent here for an empty text too (SendGrid refuses an empty part). */
const NO_TEXT = "Please view this email in a modern email client";
/** The body carries the attachments: a minute for the whole exchange, not the webhooks' 10 s. */
const READ_TIMEOUT = 60_000;

const file = z.object({
  uri: z.string().min(1).describe("The `kestra://` URI of the file in internal storage."),
  name: z.string().min(1).describe("The file name the recipient sees (for an embedded image, its `cid:` too)."),
  contentType: z.string().default("application/octet-stream").describe("The MIME type of the file."),
});
type MailFile = z.infer<typeof file>;

const mailProperties = {
  sendgridApiKey: z.string().min(1).describe("The SendGrid API key, sent as a bearer token; keep it in a secret."),
  from: z.string().min(1).describe("The sender's address (a verified sender of the SendGrid account)."),
  to: z.array(z.string()).min(1).describe("The recipients' addresses (at least one)."),
  cc: z.array(z.string()).optional().describe("Carbon-copy recipients' addresses."),
  subject: z.string().optional().describe("The subject line."),
  attachments: z
    .array(file)
    .optional()
    .describe("Files from internal storage attached to the mail (disposition `attachment`)."),
  embeddedImages: z
    .array(file)
    .optional()
    .describe("Images from internal storage shown inline: the HTML refers to each as `cid:<name>`."),
  url: z
    .string()
    .min(1)
    .default(SENDGRID_URL)
    .describe(
      "The Mail Send endpoint (a Saker addition): SendGrid's EU region is `https://api.eu.sendgrid.com/v3/mail/send`.",
    ),
};

const outputs = z.object({
  body: z.string().describe("SendGrid's answer body (empty when the mail is accepted: SendGrid answers 202)."),
  headers: z.record(z.string(), z.string()).describe("SendGrid's answer headers (`X-Message-Id` identifies the mail)."),
  statusCode: z.number().int().describe("SendGrid's HTTP status, 202 when the mail is accepted."),
});

type MailProps = z.output<z.ZodObject<typeof mailProperties>>;

/** The files of `property`, read from storage, as SendGrid's attachment objects. */
async function readFiles(ctx: RunContext, files: readonly MailFile[] | undefined, property: string, inline: boolean) {
  const read: Record<string, string>[] = [];
  for (const [index, f] of (files ?? []).entries()) {
    const where = locate(ctx, `${property}[${index}].uri`);
    let content: Buffer;
    try {
      if (!(await ctx.storage.exists(f.uri)))
        throw new NonRetryableError(`no file in internal storage at ${f.uri} (${f.name})`, where);
      content = await ctx.storage.readFile(f.uri);
    } catch (error) {
      if (error instanceof NonRetryableError) throw error;
      throw new NonRetryableError(`${f.name}: ${errorMessage(error)}`, { ...where, cause: error });
    }
    read.push({
      content: content.toString("base64"),
      type: f.contentType,
      filename: f.name,
      disposition: inline ? "inline" : "attachment",
      // SendGrid refuses an inline attachment without a content_id (Kestra's task sends none).
      ...(inline ? { content_id: f.name } : {}),
    });
  }
  return read;
}

/**
 * `text` with every occurrence of `secret` starred out. A key of SendGrid's is 69 characters long;
 * one shorter than 8 (a test's) is left alone, as it would star out common text.
 */
const hide = (text: string, secret: string) => (secret.length >= 8 ? text.split(secret).join("******") : text);

/** Sends the mail; resolves with SendGrid's answer, or fails with it when it is not a 2xx. */
async function sendMail(ctx: RunContext, props: MailProps, html: string | undefined, text: string | undefined) {
  webhookUrl(ctx, props.url);
  const attachments = [
    ...(await readFiles(ctx, props.attachments, "attachments", false)),
    ...(await readFiles(ctx, props.embeddedImages, "embeddedImages", true)),
  ];
  const cc = props.cc ?? [];
  const content = [
    ...(text !== undefined ? [{ type: "text/plain", value: text }] : []),
    ...(html !== undefined ? [{ type: "text/html", value: html }] : []),
  ];
  const mail = {
    from: { email: props.from },
    personalizations: [
      {
        to: props.to.map((email) => ({ email })),
        ...(cc.length ? { cc: cc.map((email) => ({ email })) } : {}),
        ...(props.subject !== undefined ? { subject: props.subject } : {}),
      },
    ],
    ...(content.length ? { content } : {}),
    ...(attachments.length ? { attachments } : {}),
  };
  ctx.logger.debug("Sending an email to {} through SendGrid", props.to.join(", "));
  const key = props.sendgridApiKey;
  const auth = { authorization: `Bearer ${key}` };
  const answer = await postJsonAnswer(ctx, "SendGrid", props.url, JSON.stringify(mail), "url", auth, {
    readTimeout: READ_TIMEOUT,
  });
  const body = hide(answer.text, key);
  if (answer.status < 200 || answer.status >= 300)
    throw new SakerError(
      "NOTIFICATION_REJECTED",
      `SendGrid API failed with status code: ${answer.status} and body: ${body.slice(0, 2000)}`,
      locate(ctx),
    );
  ctx.logger.debug("SendGrid answered {}", answer.status);
  const headers = Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, hide(value, key)]));
  return { body, headers, statusCode: answer.status };
}

export const SendGridMailSend = defineTask({
  type: "io.kestra.plugin.twilio.sendgrid.SendGridMailSend",
  aliases: ["io.kestra.plugin.notifications.sendgrid.SendGridMailSend"],
  title: "Send an email through SendGrid's Mail Send API.",
  description:
    "POSTs the mail (addresses, subject, HTML and text bodies, files from internal storage) to SendGrid's v3 Mail Send API " +
    "with `Authorization: Bearer <sendgridApiKey>`. A `textContent` that renders empty is sent as " +
    `"${NO_TEXT}" (SendGrid refuses an empty part). Any answer other than a 2xx fails the task with SendGrid's status and body.`,
  examples: [
    {
      title: "Mail when the flow fails",
      code: `- id: send_email
  type: io.kestra.plugin.twilio.sendgrid.SendGridMailSend
  sendgridApiKey: "{{ secret('SENDGRID_API_KEY') }}"
  from: alerts@example.com
  to:
    - ops@example.com
  subject: "{{ flow.namespace }}.{{ flow.id }} failed"
  htmlContent: "<p>Execution {{ execution.id }} failed.</p>"
`,
    },
  ],
  properties: z.object({
    ...mailProperties,
    htmlContent: z.string().optional().describe("The HTML body."),
    textContent: z.string().optional().describe("The plain-text body (the alternative to the HTML one)."),
  }),
  outputs,
  async run(props, ctx) {
    const text = props.textContent === undefined ? undefined : props.textContent || NO_TEXT;
    return sendMail(ctx, props, props.htmlContent, text);
  },
});

const ignoredContent = z
  .string()
  .optional()
  .describe("Accepted as Kestra's is, and ignored as Kestra ignores it, with a warning: the summary is sent.");

export const SendGridMailExecution = defineTask({
  type: "io.kestra.plugin.twilio.sendgrid.SendGridMailExecution",
  aliases: ["io.kestra.plugin.notifications.sendgrid.SendGridMailExecution"],
  title: "Send an email with the summary of an execution through SendGrid.",
  description:
    "Mails the summary of an execution (a link to its page, id, namespace, flow, state, start, duration and, when it failed, " +
    'the task that failed) as HTML with a plain-text alternative, as SendGridMailSend sends a mail. Use it in a flow with a Flow trigger and `executionId: "{{ trigger.executionId }}"`; ' +
    "in `errors` tasks use SendGridMailSend. The link's base URL is configuration `server.url`.",
  examples: [
    {
      title: "Mail the summary of failed executions",
      full: true,
      code: `id: failure_alert
namespace: company.team
tasks:
  - id: send_alert
    type: io.kestra.plugin.twilio.sendgrid.SendGridMailExecution
    sendgridApiKey: "{{ secret('SENDGRID_API_KEY') }}"
    from: alerts@example.com
    to:
      - ops@example.com
    subject: "Execution {{ trigger.executionId }} of {{ trigger.namespace }}.{{ trigger.flowId }} failed"
    executionId: "{{ trigger.executionId }}"
triggers:
  - id: on_failure
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [FAILED, WARNING]
`,
    },
  ],
  properties: z.object({
    ...mailProperties,
    executionId: executionProperties.executionId,
    customFields: executionProperties.customFields,
    customMessage: executionProperties.customMessage,
    templateRenderMap: executionProperties.templateRenderMap,
    templateUri: executionProperties.templateUri,
    textTemplateUri: executionProperties.templateUri,
    htmlContent: ignoredContent,
    textContent: ignoredContent,
  }),
  outputs,
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    const ignored = (["htmlContent", "textContent"] as const).filter((name) => props[name] !== undefined);
    warnIgnored(ctx, "SendGridMailExecution", ignored, "SendGridMailSend");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const customFields = props.customFields ?? {};
    return sendMail(
      ctx,
      props,
      summaryHtml(summary, customFields, props.customMessage),
      summaryText(summary, customFields, props.customMessage),
    );
  },
});
