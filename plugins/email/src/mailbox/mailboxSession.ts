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
import { resolveOutbound, type TriggerContext } from "@saker/sdk";
import type { EmailData } from "./emailData.ts";
import type { MailCursor } from "./mailCursor.ts";
import { mailboxError } from "./mailboxErrors.ts";
import type { Mailbox } from "./mailboxProperties.ts";

/** How many of the latest messages Kestra looks at; here only when there is no cursor yet. */
export const FIRST_CHECK_COUNT = 10;
/** How long a server may take to accept the connection and greet. */
export const CONNECT_TIMEOUT_MS = 20_000;

export interface FoundMessage {
  /** Fetches and parses the message (once: later calls give the same result). */
  read(): Promise<EmailData>;
}

export interface MailboxCheck {
  /** The new messages, oldest first, at most the limit asked for. */
  messages: FoundMessage[];
  /** More new messages wait beyond the limit. */
  more: boolean;
  /** The cursor once the first `count` of `messages` are handled (the rest stay new). */
  cursorAfter(count: number): MailCursor;
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
