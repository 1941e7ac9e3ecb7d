/**
 * `io.kestra.plugin.email.MailSend`: one mail, as the task's properties describe it.
 *
 * @module
 */
import { defineTask, z } from "@saker/sdk";
import { bodyProperties, messageProperties, serverProperties } from "./properties.ts";
import { sendMail } from "./send.ts";

export const MailSend = defineTask({
  type: "io.kestra.plugin.email.MailSend",
  aliases: ["io.kestra.plugin.notifications.mail.MailSend"],
  title: "Send an email",
  description:
    "Sends one mail over SMTP (SMTPS by default) with an HTML and/or a plain-text body, attachments and inline images read from internal storage. A server that refuses the login, the sender or a recipient fails the task with its answer.",
  examples: [
    {
      title: "Mail a report on failure",
      code: `id: send_email
type: io.kestra.plugin.email.MailSend
host: smtp.example.com
port: 465
username: "{{ secret('EMAIL_USERNAME') }}"
password: "{{ secret('EMAIL_PASSWORD') }}"
from: alerts@example.com
to: [ops@example.com, data@example.com]
subject: "Flow {{ flow.id }} failed"
htmlTextContent: "Execution <b>{{ execution.id }}</b> failed."
attachments:
  - name: report.csv
    uri: "{{ outputs.export.uri }}"
    contentType: text/csv`,
    },
  ],
  properties: z.object({ ...serverProperties, ...messageProperties, ...bodyProperties }),
  outputs: z.object({}),
  run: async (props, ctx) => {
    const { host, port, username, password, transportStrategy, sessionTimeout, verifyServerIdentity, ...mail } = props;
    await sendMail(
      { host, port, username, password, transportStrategy, sessionTimeout, verifyServerIdentity },
      mail,
      ctx,
    );
    return {};
  },
});
