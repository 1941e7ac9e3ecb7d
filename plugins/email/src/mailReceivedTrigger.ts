/**
 * `io.kestra.plugin.email.MailReceivedTrigger`: every `interval`, reads a mailbox over IMAP or
 * POP3 and starts one execution for the mail that came since the last check, with
 * `trigger.latestEmail`, `trigger.total` and `trigger.emails`.
 *
 * Kestra takes as new the messages (among the last ten) dated after one interval ago, which loses
 * mail when an evaluation is late and reports it twice when early. This trigger keeps a cursor
 * instead (see mailbox/mailCursor.ts): each message is reported once, none is missed, however far
 * apart the checks. Kestra's rule is used only for the first check, when there is no cursor yet.
 *
 * @module
 */
import { defineTrigger, z } from "@saker/sdk";
import { emailData, type EmailData } from "./mailbox/emailData.ts";
import { cursorKey, loadCursor } from "./mailbox/mailCursor.ts";
import { compileMailbox, mailboxName, mailboxProperties } from "./mailbox/mailboxProperties.ts";
import { warnSkipped } from "./mailbox/mailboxSession.ts";
import { openMailbox } from "./mailbox/openMailbox.ts";

/** The most messages one execution reports; more wait for the next evaluations. */
export const MAX_EMAILS = 100;

/** The newest message by date, the first of them on a tie (as Kestra's `max`). */
function latestOf(emails: readonly EmailData[]): EmailData {
  return emails.reduce((latest, email) => (Date.parse(email.date) > Date.parse(latest.date) ? email : latest));
}

export const MailReceivedTrigger = defineTrigger({
  type: "io.kestra.plugin.email.MailReceivedTrigger",
  aliases: ["io.kestra.plugin.notifications.mail.MailReceivedTrigger"],
  triggerKind: "polling",
  title: "Start an execution when new mail arrives in a mailbox (IMAP or POP3)",
  description:
    "Every `interval`, reads the mailbox and, when new messages came since the last check, starts one execution with them: `trigger.emails` (oldest first), `trigger.total` and `trigger.latestEmail` (the newest by date). No new mail, no execution. The trigger remembers where it stopped (the last IMAP UID of the folder, or the POP3 ids it saw) in the namespace's KV store, so each message is reported once and none is missed; on its very first check, the messages received in the last `interval` count as new. At most 100 messages go in one execution, the next evaluations take the rest. Messages are only read: none is marked seen or deleted.",
  examples: [
    {
      title: "Log each new mail of an IMAP inbox",
      full: true,
      code: `id: email_monitor
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.total }} new mail(s), the latest from {{ trigger.latestEmail.from }}: {{ trigger.latestEmail.subject }}"
triggers:
  - id: inbox
    type: io.kestra.plugin.email.MailReceivedTrigger
    protocol: IMAP
    host: imap.gmail.com
    port: 993
    username: "{{ secret('GMAIL_USERNAME') }}"
    password: "{{ secret('GMAIL_PASSWORD') }}"
    folder: INBOX
    interval: PT30S`,
    },
  ],
  properties: z.object(mailboxProperties),
  outputs: z.object({
    latestEmail: emailData.describe("The newest of the new messages, by date."),
    total: z.number().describe("How many new messages this execution reports."),
    emails: z.array(emailData).describe("The new messages, oldest first."),
  }),
  async evaluate(props, ctx) {
    const mailbox = compileMailbox(props, ctx);
    const store = await loadCursor(ctx.kv(), cursorKey(ctx), mailbox);
    const session = await openMailbox(mailbox, ctx);
    try {
      const check = await session.check(store.cursor, new Date(Date.now() - mailbox.intervalMs), MAX_EMAILS);
      warnSkipped(check, mailbox, ctx.logger);
      const emails: EmailData[] = [];
      for (const message of check.messages) emails.push(await message.read());
      const cursor = check.cursorAfter(emails.length);
      if (check.more) ctx.logger.info("More than {} new mails: the next evaluations take the rest", MAX_EMAILS);
      if (emails.length === 0) {
        await store.save(cursor);
        ctx.logger.debug("No new mail in {}", mailboxName(mailbox));
        return undefined;
      }
      ctx.logger.info("{} new mail(s) in {}", emails.length, mailboxName(mailbox));
      // The messages count as seen once their execution is stored: if none is (the trigger
      // disabled meanwhile), the next check reports them again. A first check (no cursor yet,
      // Kestra's date window) keeps a cursor before them now: a later window would miss them.
      if (store.cursor === undefined) await store.save(check.cursorAfter(0));
      return {
        variables: { latestEmail: latestOf(emails), total: emails.length, emails },
        onStarted: () => store.save(cursor),
      };
    } finally {
      await session.close();
    }
  },
});
