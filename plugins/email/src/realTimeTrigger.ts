/**
 * `io.kestra.plugin.email.RealTimeTrigger`: one execution per message arriving in a mailbox,
 * with the message as `trigger` (`trigger.subject`, `trigger.from`…). Over IMAP the listener holds
 * the folder open and the server tells it of new mail (IDLE); over POP3 it checks every `interval`.
 *
 * As MailReceivedTrigger, it keeps a cursor in the KV store, saved after each execution is
 * stored: a listener that restarts (new flow revision, lost connection, instance restart) goes on
 * with the mail that came meanwhile. A stop just as an execution is being stored may report that
 * message a second time (at least once, never lost).
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { defineTrigger, z, type TriggerContext, type TriggerEvent } from "@saker/sdk";
import { emailData } from "./mailbox/emailData.ts";
import { openImap } from "./mailbox/imapSession.ts";
import { cursorKey, loadCursor, type CursorStore } from "./mailbox/mailCursor.ts";
import {
  compileMailbox,
  mailboxName,
  mailboxProperties,
  serverName,
  type Mailbox,
} from "./mailbox/mailboxProperties.ts";
import { endpointOf, warnSkipped, type MailboxSession } from "./mailbox/mailboxSession.ts";
import { openMailbox } from "./mailbox/openMailbox.ts";

/** The most messages read from the server at once (they still start one execution each). */
const BATCH = 100;

type Emit = (event: TriggerEvent) => Promise<void>;

/** Starts one execution per new message, oldest first, saving the cursor after each. */
async function deliver(
  session: MailboxSession,
  mailbox: Mailbox,
  store: CursorStore,
  since: Date,
  ctx: TriggerContext,
  emit: Emit,
) {
  for (;;) {
    const check = await session.check(store.cursor, since, BATCH);
    warnSkipped(check, mailbox, ctx.logger);
    if (check.messages.length === 0) return store.save(check.cursorAfter(0));
    for (const [index, message] of check.messages.entries()) {
      await emit({ variables: await message.read() });
      // stopped meanwhile: the execution may not have been stored, the message stays new
      if (ctx.signal.aborted) return;
      await store.save(check.cursorAfter(index + 1));
    }
    if (!check.more) return;
  }
}

async function listenImap(mailbox: Mailbox, store: CursorStore, since: Date, ctx: TriggerContext, emit: Emit) {
  const session = await openImap(mailbox, await endpointOf(mailbox, ctx), ctx.signal);
  const stop = () => void session.close();
  ctx.signal.addEventListener("abort", stop, { once: true });
  ctx.logger.info("Listening for new mail in {} (IDLE)", mailboxName(mailbox));
  try {
    while (!ctx.signal.aborted) {
      await deliver(session, mailbox, store, since, ctx, emit);
      if (!ctx.signal.aborted) await session.waitForMail();
    }
  } catch (error) {
    if (!ctx.signal.aborted) throw error;
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    await session.close();
  }
}

async function pollPop3(mailbox: Mailbox, store: CursorStore, since: Date, ctx: TriggerContext, emit: Emit) {
  ctx.logger.info("Checking {} for new mail every {} s", serverName(mailbox), mailbox.intervalMs / 1000);
  try {
    while (!ctx.signal.aborted) {
      const session = await openMailbox(mailbox, ctx);
      try {
        await deliver(session, mailbox, store, since, ctx, emit);
      } finally {
        await session.close();
      }
      await sleep(mailbox.intervalMs, undefined, { signal: ctx.signal });
    }
  } catch (error) {
    if (!ctx.signal.aborted) throw error;
  }
}

export const RealTimeTrigger = defineTrigger({
  type: "io.kestra.plugin.email.RealTimeTrigger",
  aliases: ["io.kestra.plugin.notifications.mail.RealTimeTrigger"],
  triggerKind: "realtime",
  title: "Start an execution for each mail, as it arrives in a mailbox (IMAP or POP3)",
  description:
    "Starts one execution per new message, with the message as `trigger` (`trigger.subject`, `trigger.from`, `trigger.body`…). Over IMAP the folder stays open and the server announces new mail (IDLE), so an execution starts within a second or two; over POP3 the mailbox is checked every `interval`. The listener remembers the last message it reported (in the namespace's KV store), so after a restart it goes on with the mail that came meanwhile; when it first starts, the messages received in the last `interval` count as new. Messages are only read: none is marked seen or deleted. To get the new mail in batches, use MailReceivedTrigger.",
  examples: [
    {
      title: "An execution per mail of an IMAP inbox",
      full: true,
      code: `id: realtime_email
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.from }} wrote '{{ trigger.subject }}' on {{ trigger.date }}: {{ trigger.body }}"
triggers:
  - id: inbox
    type: io.kestra.plugin.email.RealTimeTrigger
    protocol: IMAP
    host: imap.gmail.com
    port: 993
    username: "{{ secret('GMAIL_USERNAME') }}"
    password: "{{ secret('GMAIL_PASSWORD') }}"
    folder: INBOX`,
    },
    {
      title: "A POP3 mailbox, checked every 30 seconds",
      code: `triggers:
  - id: pop3
    type: io.kestra.plugin.email.RealTimeTrigger
    protocol: POP3
    host: pop.example.com
    username: "{{ secret('EMAIL_USERNAME') }}"
    password: "{{ secret('EMAIL_PASSWORD') }}"
    interval: PT30S`,
    },
  ],
  properties: z.object(mailboxProperties),
  outputs: emailData,
  async listen(props, ctx, emit) {
    const mailbox = compileMailbox(props, ctx);
    const store = await loadCursor(ctx.kv(), cursorKey(ctx), mailbox);
    const since = new Date(Date.now() - mailbox.intervalMs);
    if (mailbox.protocol === "IMAP") await listenImap(mailbox, store, since, ctx, emit);
    else await pollPop3(mailbox, store, since, ctx, emit);
  },
});
