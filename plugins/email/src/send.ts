/**
 * Building and sending one mail through nodemailer's SMTP transport, and turning what the server
 * or the input got wrong into a task error.
 *
 * @module
 */
import { NonRetryableError, TaskError, errorMessage, isSakerError, resolveOutbound, type RunContext } from "@saker/sdk";
import type { Attachment } from "nodemailer/lib/mailer/index.js";
import { addressList, type MailFile, type TransportStrategy } from "./properties.ts";

export interface MailServer {
  host: string;
  port?: number | undefined;
  username?: string | undefined;
  password?: string | undefined;
  transportStrategy: TransportStrategy;
  sessionTimeout: number;
  verifyServerIdentity: boolean;
}

export interface Mail {
  from: string;
  to?: string | string[] | undefined;
  cc?: string | string[] | undefined;
  bcc?: string | string[] | undefined;
  subject?: string | undefined;
  htmlTextContent?: string | undefined;
  plainTextContent?: string | undefined;
  attachments?: MailFile[] | undefined;
  embeddedImages?: MailFile[] | undefined;
}

const DEFAULT_PORTS: Record<TransportStrategy, number> = { SMTP: 25, SMTPS: 465, SMTP_TLS: 587 };

async function readFiles(files: MailFile[] | undefined, property: string, ctx: RunContext, inline: boolean) {
  const read: Attachment[] = [];
  for (const [index, file] of (files ?? []).entries()) {
    const where = `${property}[${index}] (${file.name})`;
    let content: Buffer;
    try {
      if (!(await ctx.storage.exists(file.uri)))
        throw new NonRetryableError(`${where}: no file in internal storage at ${file.uri}`);
      content = await ctx.storage.readFile(file.uri);
    } catch (error) {
      if (error instanceof NonRetryableError) throw error;
      throw new NonRetryableError(`${where}: ${errorMessage(error)}`, { cause: error });
    }
    read.push({
      filename: file.name,
      content,
      contentType: file.contentType,
      ...(inline ? { cid: file.name, contentDisposition: "inline" as const } : {}),
    });
  }
  return read;
}

/** Why the server refused, in a line: nodemailer's message already carries the server's answer. */
function refusal(error: unknown, server: MailServer, port: number): TaskError {
  const code = (error as { code?: unknown }).code;
  const where = `${server.host}:${port} (${server.transportStrategy})`;
  if (code === "EAUTH") return new NonRetryableError(`SMTP server ${where} refused the login: ${errorMessage(error)}`);
  if (code === "EENVELOPE")
    return new NonRetryableError(`SMTP server ${where} refused the message: ${errorMessage(error)}`);
  return new TaskError(`Sending the mail through ${where} failed: ${errorMessage(error)}`, { cause: error });
}

/** Sends `mail`; resolves with the server's message id and the recipients it accepted. */
export async function sendMail(server: MailServer, mail: Mail, ctx: RunContext) {
  const to = addressList(mail.to);
  const cc = addressList(mail.cc);
  const bcc = addressList(mail.bcc);
  if (to.length + cc.length + bcc.length === 0)
    throw new NonRetryableError("The mail has no recipient: set `to`, `cc` or `bcc`");
  const attachments = [
    ...(await readFiles(mail.attachments, "attachments", ctx, false)),
    ...(await readFiles(mail.embeddedImages, "embeddedImages", ctx, true)),
  ];
  const port = server.port ?? DEFAULT_PORTS[server.transportStrategy];
  // The connection goes to the address checked against http.refusedAddresses; TLS still checks the name.
  let address: string;
  try {
    address = await resolveOutbound(ctx, server.host, "host");
  } catch (error) {
    if (isSakerError(error)) throw error;
    throw refusal(error, server, port);
  }
  const transport = (await import("nodemailer")).default.createTransport({
    host: address,
    ...(address !== server.host ? { servername: server.host } : {}),
    port,
    secure: server.transportStrategy === "SMTPS",
    ignoreTLS: server.transportStrategy === "SMTP",
    requireTLS: server.transportStrategy === "SMTP_TLS",
    connectionTimeout: server.sessionTimeout,
    greetingTimeout: server.sessionTimeout,
    socketTimeout: server.sessionTimeout,
    tls: { rejectUnauthorized: server.verifyServerIdentity },
    ...(server.username ? { auth: { user: server.username, pass: server.password ?? "" } } : {}),
  });
  // nodemailer cannot cancel a send: on a timeout or kill the engine stops the task, and the
  // connection ends by the session timeout.
  try {
    const info = await transport.sendMail({
      from: mail.from,
      to,
      cc,
      bcc,
      subject: mail.subject ?? "",
      ...(mail.htmlTextContent !== undefined ? { html: mail.htmlTextContent } : {}),
      ...(mail.plainTextContent !== undefined ? { text: mail.plainTextContent } : {}),
      attachments,
    });
    const rejected = info.rejected.map(String);
    if (rejected.length > 0) {
      // nodemailer delivers to the accepted recipients anyway; the task still fails, as Kestra's does.
      const answers = (info as { rejectedErrors?: Error[] }).rejectedErrors?.map((e) => e.message) ?? [];
      throw new NonRetryableError(
        `SMTP server ${server.host}:${port} refused the recipient(s) ${rejected.join(", ")}` +
          (answers.length ? ` (${answers.join("; ")})` : "") +
          `; the mail went to the ${info.accepted.length} other recipient(s)`,
      );
    }
    ctx.logger.info("Mail sent to {} recipient(s) through {}:{}", info.accepted.length, server.host, port);
    return { messageId: info.messageId, accepted: info.accepted.map(String) };
  } catch (error) {
    if (error instanceof NonRetryableError) throw error;
    throw refusal(error, server, port);
  } finally {
    transport.close();
  }
}
