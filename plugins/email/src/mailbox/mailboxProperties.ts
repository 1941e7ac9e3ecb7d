/**
 * The properties Kestra's two mail triggers share (its `AbstractMailTrigger`): which mailbox to
 * read, over which protocol, and how often; compiled once per evaluation into a {@link Mailbox}
 * with the default port filled in.
 *
 * @module
 */
import { SakerError, duration, z, type ErrorLocation, type TriggerContext } from "@saker/sdk";

export const PROTOCOLS = ["IMAP", "POP3"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const mailboxProperties = {
  protocol: z.enum(PROTOCOLS).default("IMAP").describe("The protocol to read the mailbox with: IMAP or POP3."),
  host: z.string().min(1).describe("The mail server's host name or address."),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe("The mail server's port (default: IMAP 993 with `ssl`, 143 without; POP3 995 with `ssl`, 110 without)."),
  username: z.string().min(1).describe("The user to log in as."),
  password: z.string().describe("The password of `username`. It is never logged nor shown in an error."),
  folder: z
    .string()
    .min(1)
    .default("INBOX")
    .describe("The IMAP folder to watch. POP3 has only the inbox: another folder is an error with POP3."),
  ssl: z
    .boolean()
    .default(true)
    .describe("Speak TLS from the first byte (IMAPS, POP3S). With `false` the connection stays in clear text."),
  trustAllCertificates: z
    .boolean()
    .default(false)
    .describe("Accept any TLS certificate, self-signed or for another name. Only for a server you trust."),
  interval: duration()
    .prefault("PT60S")
    .describe("How often the mailbox is checked (RealTimeTrigger: over POP3 only; IMAP is told of new mail at once)."),
};

const DEFAULT_PORTS: Record<Protocol, { ssl: number; plain: number }> = {
  IMAP: { ssl: 993, plain: 143 },
  POP3: { ssl: 995, plain: 110 },
};

/** The properties as {@link mailboxProperties} parses them. */
export interface MailboxProps {
  protocol: Protocol;
  host: string;
  port?: number | undefined;
  username: string;
  password: string;
  folder: string;
  ssl: boolean;
  trustAllCertificates: boolean;
  interval: number;
}

/** A mailbox to read, with its port, and where the trigger reading it is declared. */
export interface Mailbox extends Omit<MailboxProps, "port" | "interval"> {
  port: number;
  intervalMs: number;
  /** The flow and trigger, for error messages. */
  where: { flow: string; triggerId: string };
}

/** Where in the flow an error of this trigger is: its flow, its id, and the property at fault. */
export function locate(mailbox: Pick<Mailbox, "where">, property?: string): ErrorLocation {
  return { flow: mailbox.where.flow, taskId: mailbox.where.triggerId, ...(property ? { path: property } : {}) };
}

/** `IMAP 127.0.0.1:993`: the server, for messages. */
export function serverName(mailbox: Pick<Mailbox, "protocol" | "host" | "port">): string {
  return `${mailbox.protocol} server ${mailbox.host}:${mailbox.port}`;
}

/** `'INBOX' on IMAP server 127.0.0.1:993`, or the POP3 server: what a trigger reads, for logs. */
export function mailboxName(mailbox: Pick<Mailbox, "protocol" | "host" | "port" | "folder">): string {
  return mailbox.protocol === "IMAP" ? `'${mailbox.folder}' on ${serverName(mailbox)}` : serverName(mailbox);
}

export function compileMailbox(props: MailboxProps, ctx: Pick<TriggerContext, "flow" | "trigger">): Mailbox {
  const { port, interval, ...rest } = props;
  const mailbox: Mailbox = {
    ...rest,
    port: port ?? DEFAULT_PORTS[props.protocol][props.ssl ? "ssl" : "plain"],
    intervalMs: interval,
    where: { flow: `${ctx.flow.namespace}/${ctx.flow.id}`, triggerId: ctx.trigger.id },
  };
  if (mailbox.intervalMs <= 0)
    throw new SakerError("PROPERTY_INVALID", "must be a positive duration", locate(mailbox, "interval"));
  if (mailbox.protocol === "POP3" && mailbox.folder.toUpperCase() !== "INBOX")
    throw new SakerError(
      "PROPERTY_INVALID",
      `'${mailbox.folder}' cannot be read over POP3, which only reads the inbox: remove folder, or use protocol IMAP`,
      locate(mailbox, "folder"),
    );
  // POP3 sends them on a command line of their own: a line break would end it
  if (mailbox.protocol === "POP3" && /[\r\n]/.test(mailbox.username))
    throw new SakerError("PROPERTY_INVALID", "must not hold a line break", locate(mailbox, "username"));
  if (mailbox.protocol === "POP3" && /[\r\n]/.test(mailbox.password))
    throw new SakerError("PROPERTY_INVALID", "must not hold a line break", locate(mailbox, "password"));
  return mailbox;
}
