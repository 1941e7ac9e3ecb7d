/**
 * One connection to a mailbox, IMAP or POP3, logged in: what is new since a cursor, each message
 * read on demand. Every failure comes out as the Saker error {@link mailboxError} makes of it.
 *
 * "New" is what follows the cursor. Without a cursor (the trigger's first check, or a mailbox
 * that changed under it) it is Kestra's rule: among the last {@link FIRST_CHECK_COUNT} messages,
 * those received after `since` (one interval ago); the others count as seen.
 *
 * @module
 */
import { isIP } from "node:net";
import { resolveOutbound, type Logger, type TriggerContext } from "@saker/sdk";
import type { EmailData } from "./emailData.ts";
import type { MailCursor } from "./mailCursor.ts";
import { mailboxError } from "./mailboxErrors.ts";
import { mailboxName, type Mailbox } from "./mailboxProperties.ts";
import { sizeName } from "./pop3Client.ts";

/** How many of the latest messages Kestra looks at; here only when there is no cursor yet. */
export const FIRST_CHECK_COUNT = 10;
/** How long a server may take to accept the connection and greet. */
export const CONNECT_TIMEOUT_MS = 20_000;
/**
 * The largest message a trigger reads (the size the server gives, before reading it): a larger one
 * is skipped, with a warning, and counts as seen, for the trigger not to stop at it forever.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface FoundMessage {
  /** Fetches and parses the message (once: later calls give the same result). */
  read(): Promise<EmailData>;
}

export interface MailboxCheck {
  /** The new messages, oldest first, at most the limit asked for. */
  messages: FoundMessage[];
  /** More new messages wait beyond the limit. */
  more: boolean;
  /**
   * The new messages larger than the session reads (not in `messages`): they count as seen in
   * every cursor `cursorAfter` gives.
   */
  skipped: SkippedMessage[];
  /** The cursor once the first `count` of `messages` are handled (the rest stay new). */
  cursorAfter(count: number): MailCursor;
}

export interface SkippedMessage {
  /** Which message, for a log: `message 3 (UIDL 0000000357f0e4a1)`, `message UID 42`. */
  message: string;
  /** Its size in bytes, as the server gives it. */
  size: number;
  /** The most the session reads. */
  limit: number;
}

/** Logs a warning for each message of `check` too large to read. */
export function warnSkipped(check: Pick<MailboxCheck, "skipped">, mailbox: Mailbox, logger: Pick<Logger, "warn">) {
  for (const { message, size, limit } of check.skipped)
    logger.warn(
      "Skipped {} of {}: it has {} bytes, more than the {} a mail trigger reads; it counts as seen",
      message,
      mailboxName(mailbox),
      size,
      sizeName(limit),
    );
}

export interface MailboxSession {
  check(cursor: MailCursor | undefined, since: Date, limit: number): Promise<MailboxCheck>;
  /** Ends the session politely; never throws. */
  close(): Promise<void>;
}

/** Where to connect: the address `host` resolved to (checked against the outbound policy) and the name TLS checks. */
export interface Endpoint {
  address: string;
  servername: string | undefined;
}

/** Resolves the mailbox's host as the instance's outbound policy allows. */
export async function endpointOf(
  mailbox: Mailbox,
  ctx: Pick<TriggerContext, "flow" | "trigger" | "refusedAddresses">,
): Promise<Endpoint> {
  try {
    const policy = { flow: ctx.flow, task: ctx.trigger, refusedAddresses: ctx.refusedAddresses };
    const address = await resolveOutbound(policy, mailbox.host, "host");
    return { address, servername: isIP(mailbox.host.replace(/^\[|\]$/g, "")) ? undefined : mailbox.host };
  } catch (error) {
    throw mailboxError(error, mailbox);
  }
}

/** Calls `read` once, keeping its promise. */
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= read());
}

/** Runs `work`, turning what it throws into the Saker error it means for this mailbox. */
export async function mapped<T>(mailbox: Mailbox, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mailboxError(error, mailbox);
  }
}
