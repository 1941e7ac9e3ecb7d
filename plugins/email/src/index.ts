/**
 * `@saker/plugin-email`: Kestra's `io.kestra.plugin.email.*`. MailSend and MailExecution send over
 * SMTP through nodemailer; MailReceivedTrigger and RealTimeTrigger read a mailbox over IMAP
 * (imapflow) or POP3 (a client of our own). Each is also known under its older id
 * `io.kestra.plugin.notifications.mail.*`.
 *
 * @module
 */
import { definePlugin, type AnyTaskDefinition, type AnyTriggerDefinition } from "@saker/sdk";
import { MailExecution } from "./mailExecution.ts";
import { MailReceivedTrigger } from "./mailReceivedTrigger.ts";
import { MailSend } from "./mailSend.ts";
import { RealTimeTrigger } from "./realTimeTrigger.ts";

export default definePlugin({
  group: "io.kestra.plugin.email",
  title: "Email",
  description:
    "Send email over SMTP, SMTPS or STARTTLS, with HTML and text bodies, attachments and inline images; start executions on mail received over IMAP or POP3.",
  tasks: [MailSend as unknown as AnyTaskDefinition, MailExecution as unknown as AnyTaskDefinition],
  triggers: [
    MailReceivedTrigger as unknown as AnyTriggerDefinition,
    RealTimeTrigger as unknown as AnyTriggerDefinition,
  ],
});
