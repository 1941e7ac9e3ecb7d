/**
 * `io.kestra.plugin.email.MailExecution`: a mail whose body is the summary of an execution (link,
 * id, namespace, flow, state, duration, the failed task), for a flow with a Flow trigger.
 *
 * @module
 */
import { defineTask, summarizeExecution, summaryHtml, summaryText, z } from "@saker/sdk";
import { messageProperties, serverProperties } from "./properties.ts";
import { sendMail } from "./send.ts";

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
