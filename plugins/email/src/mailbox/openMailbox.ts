/**
 * Connects to a mailbox over the protocol its properties name, logged in and ready to check.
 *
 * @module
 */
import type { TriggerContext } from "@saker/sdk";
import { openImap } from "./imapSession.ts";
import type { Mailbox } from "./mailboxProperties.ts";
import { endpointOf, type MailboxSession } from "./mailboxSession.ts";
import { openPop3 } from "./pop3Session.ts";

export async function openMailbox(
  mailbox: Mailbox,
  ctx: Pick<TriggerContext, "flow" | "trigger" | "signal">,
): Promise<MailboxSession> {
  const endpoint = await endpointOf(mailbox, ctx);
  return mailbox.protocol === "IMAP"
    ? openImap(mailbox, endpoint, ctx.signal)
    : openPop3(mailbox, endpoint, ctx.signal);
}
