/**
 * `io.kestra.plugin.email.MailExecution`: a mail whose body is the summary of an execution (link,
 * id, namespace, flow, state, duration, the failed task), for a flow with a Flow trigger.
 *
 * @module
 */
import { defineTask, summarizeExecution, summaryFields, summaryTitle, z, type NotificationSummary } from "@saker/sdk";
import { messageProperties, serverProperties } from "./properties.ts";
import { sendMail } from "./send.ts";

const STATE_COLORS: Record<string, string> = { SUCCESS: "green", WARNING: "orange" };

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** The HTML body: title coloured by state, custom message, outcome line, link button, fields. */
export function summaryHtml(
  summary: NotificationSummary,
  customFields: Readonly<Record<string, unknown>>,
  customMessage: string | undefined,
): string {
  const x = summary.execution;
  const p = (inner: string) => `<p style="font-family: sans-serif; font-size: 14px; margin: 0 0 15px;">${inner}</p>`;
  const outcome = summary.failedTask
    ? `Failed on task <code>${escapeHtml(summary.failedTask.taskId)}</code> after ${escapeHtml(summary.duration)}`
    : `${x.state === "SUCCESS" ? "Succeeded" : escapeHtml(x.state)} after ${escapeHtml(summary.duration)}`;
  const lines = [
    `<p style="font-family: sans-serif; font-size: 16px; margin: 0 0 15px;">[${escapeHtml(x.namespace)}] ${escapeHtml(x.flowId)} ➛ ` +
      `<span style="color: ${STATE_COLORS[x.state] ?? "red"};">${escapeHtml(x.state)}</span></p>`,
    ...(customMessage !== undefined ? [p(escapeHtml(customMessage))] : []),
    p(outcome),
    ...(x.url
      ? [
          `<p style="margin: 0 0 15px;"><a href="${escapeHtml(x.url)}" target="_blank" style="display: inline-block; color: #ffffff; background-color: #3498db; border-radius: 5px; padding: 12px 25px; text-decoration: none; font-weight: bold;">See details</a></p>`,
        ]
      : []),
    ...summaryFields(summary, customFields).map(([key, value]) =>
      p(`<strong>${escapeHtml(key)}:</strong> ${escapeHtml(value)}`),
    ),
  ];
  return `<!doctype html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><title>Flow [${escapeHtml(x.namespace)}] ${escapeHtml(x.flowId)} execution</title></head>
<body style="background-color: #f6f6f6; font-family: sans-serif; font-size: 14px;">
<div style="max-width: 580px; margin: 0 auto; padding: 20px; background: #ffffff;">
${lines.join("\n")}
</div>
</body>
</html>
`;
}

/** The plain-text alternative: the same summary, one field a line, the link in clear. */
export function summaryText(
  summary: NotificationSummary,
  customFields: Readonly<Record<string, unknown>>,
  customMessage: string | undefined,
): string {
  const x = summary.execution;
  return [
    summaryTitle(summary),
    ...(customMessage !== undefined ? [customMessage] : []),
    "",
    ...summaryFields(summary, customFields).map(([key, value]) => `${key}: ${value}`),
    ...(x.url ? ["", `Details: ${x.url}`] : []),
    "",
  ].join("\n");
}

export const MailExecution = defineTask({
  type: "io.kestra.plugin.email.MailExecution",
  aliases: ["io.kestra.plugin.notifications.mail.MailExecution"],
  title: "Send an email with the summary of an execution",
  description:
    'Mails the summary of an execution (a link to its page, id, namespace, flow, state, start, duration and, when it failed, the task that failed), as HTML with a plain-text alternative. Use it in a flow with a Flow trigger and `executionId: "{{ trigger.executionId }}"`; in `errors` tasks use MailSend. The link\'s base URL is configuration `server.url`.',
  examples: [
    {
      title: "Mail the summary of failed production executions",
      full: true,
      code: `id: failure_alert
namespace: company.team
tasks:
  - id: send_alert
    type: io.kestra.plugin.email.MailExecution
    host: smtp.example.com
    port: 465
    username: "{{ secret('EMAIL_USERNAME') }}"
    password: "{{ secret('EMAIL_PASSWORD') }}"
    from: alerts@example.com
    to: ops@example.com
    subject: "Execution {{ trigger.executionId }} of {{ trigger.namespace }}.{{ trigger.flowId }} failed"
    executionId: "{{ trigger.executionId }}"
    customMessage: "Production run needs attention"
    customFields:
      Team: data
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
    ...serverProperties,
    ...messageProperties,
    executionId: z
      .string()
      .optional()
      .describe("The execution to report, usually `{{ trigger.executionId }}` (default: this execution)."),
    customFields: z.record(z.string(), z.unknown()).optional().describe("More label → value lines for the summary."),
    customMessage: z.string().optional().describe("A line of text shown above the summary."),
    templateRenderMap: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Accepted for Kestra compatibility; as in Kestra, the execution summary replaces it."),
  }),
  outputs: z.object({}),
  run: async (props, ctx) => {
    const {
      host,
      port,
      username,
      password,
      transportStrategy,
      sessionTimeout,
      verifyServerIdentity,
      executionId,
      customFields = {},
      customMessage,
      templateRenderMap: _ignored,
      ...mail
    } = props;
    const summary = await summarizeExecution(ctx, executionId ?? ctx.execution.id);
    await sendMail(
      { host, port, username, password, transportStrategy, sessionTimeout, verifyServerIdentity },
      {
        ...mail,
        htmlTextContent: summaryHtml(summary, customFields, customMessage),
        plainTextContent: summaryText(summary, customFields, customMessage),
      },
      ctx,
    );
    return {};
  },
});
