/**
 * `@saker/plugin-email`: Kestra's `io.kestra.plugin.email.MailSend` and `MailExecution`, sent over SMTP through
 * nodemailer (also under its older id `io.kestra.plugin.notifications.mail.MailSend`).
 *
 * @module
 */
import { definePlugin, type AnyTaskDefinition } from "@saker/sdk";
import { MailExecution } from "./mailExecution.ts";
import { MailSend } from "./mailSend.ts";

export default definePlugin({
  group: "io.kestra.plugin.email",
  title: "Email",
  description: "Send email over SMTP, SMTPS or STARTTLS, with HTML and text bodies, attachments and inline images.",
  tasks: [MailSend as unknown as AnyTaskDefinition, MailExecution as unknown as AnyTaskDefinition],
});
