/**
 * One received message as the triggers give it (Kestra's `MailService.EmailData`): subject, the
 * bare addresses, the date, the body text, the Message-ID and what is attached. mailparser, loaded
 * on the first message parsed, reads the headers and the attachments.
 *
 * @module
 */
import { z } from "@saker/sdk";
import type { AddressObject, EmailAddress, ParsedMail } from "mailparser";
import { bodyText } from "./mimeText.ts";

const attachmentInfo = z.object({
  filename: z.string().optional().describe("The attachment's file name (absent when the part names none)."),
  contentType: z.string().describe("Its MIME type, without parameters (`application/pdf`)."),
  size: z.number().describe("Its size in bytes, decoded."),
});

export const emailData = z.object({
  subject: z.string().optional().describe("The subject (absent when the message has none)."),
  from: z.string().optional().describe("The first address of From, bare (`alice@example.com`)."),
  to: z.array(z.string()).describe("The addresses of To, bare; `[]` when none."),
  cc: z.array(z.string()).describe("The addresses of Cc, bare; `[]` when none."),
  bcc: z.array(z.string()).describe("The addresses of Bcc (rarely kept by a server), bare; `[]` when none."),
  date: z.string().describe("When the server received it (IMAP), else the Date header (POP3), ISO-8601."),
  body: z
    .string()
    .describe("The text of its text/plain and text/html parts, in order: plain text then HTML for an alternative."),
  messageId: z.string().optional().describe("The Message-ID header, angle brackets included."),
  attachments: z.array(attachmentInfo).describe("What is attached: `filename`, `contentType`, `size`."),
});
export type EmailData = z.infer<typeof emailData>;

const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
} as const;

let mailparser: Promise<typeof import("mailparser")> | undefined;
/** mailparser, imported on first use: a flow without a mail trigger never loads it. */
function parser(): Promise<typeof import("mailparser")> {
  return (mailparser ??= import("mailparser"));
}

/** The bare addresses of an address header, groups flattened. */
function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const flat = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flat(a.group) : [a]));
  return [header ?? []]
    .flat()
    .flatMap((h) => flat(h.value))
    .map((a) => a.address)
    .filter((a): a is string => Boolean(a));
}

/** The text of one text/plain or text/html part (its headers included). */
async function partText(part: Buffer): Promise<string> {
  const parsed = await (await parser()).simpleParser(part, PARSE_OPTIONS);
  return typeof parsed.html === "string" ? parsed.html : (parsed.text ?? "");
}

function validDate(date: Date | undefined): Date | undefined {
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function attachmentsOf(mail: ParsedMail): EmailData["attachments"] {
  return mail.attachments.map((a) => ({
    ...(a.filename ? { filename: a.filename } : {}),
    contentType: a.contentType,
    size: a.size,
  }));
}

/**
 * Parses a whole message. `receivedDate` is the server's (IMAP's INTERNALDATE); without it the
 * Date header is used, and without that the time of parsing, as Kestra does.
 */
export async function parseEmail(source: Buffer, receivedDate: Date | undefined): Promise<EmailData> {
  const mail = await (await parser()).simpleParser(source, PARSE_OPTIONS);
  const from = addresses(mail.from)[0];
  const date = validDate(receivedDate) ?? validDate(mail.date) ?? new Date();
  return {
    ...(mail.subject !== undefined ? { subject: mail.subject } : {}),
    ...(from ? { from } : {}),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    bcc: addresses(mail.bcc),
    date: date.toISOString(),
    body: await bodyText(source, partText),
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    attachments: attachmentsOf(mail),
  };
}
