/**
 * MailReceivedTrigger in a real instance (scheduler on) against the machine's real Dovecot, over
 * IMAP and POP3, in clear text and over TLS: one execution for the mail that came since the last
 * check, with `latestEmail`, `total` and `emails` exactly as expected; none when nothing is new;
 * never the same message twice; the first check's window; more than one execution can hold.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { dovecotAvailable, useDovecot } from "../test/dovecot.ts";
import {
  compose,
  evaluations,
  executionsOf,
  mailboxProps,
  RECEIVED,
  setTriggerDisabled,
  triggerFlow,
  triggered,
  CONNECTIONS,
  userOf,
} from "../test/mailboxes.ts";
import { emailInstance } from "../test/support.ts";
import type { EmailData } from "./mailbox/emailData.ts";
import { MAX_EMAILS } from "./mailReceivedTrigger.ts";

const available = dovecotAvailable();
const USERS = [
  ...CONNECTIONS.map((c) => userOf(`received-${c}`)),
  ...["window-imap", "window-pop3", "many-imap", "many-pop3", "folder-imap"].map(userOf),
];

/** Whole seconds: IMAP's received dates have no milliseconds. */
const at = (base: number, minutes: number) => new Date(Math.floor(base / 1000) * 1000 + minutes * 60_000);

// every test has its own mailbox and flow: they run side by side
describe.skipIf(!available)("MailReceivedTrigger against Dovecot", { concurrent: true }, () => {
  const dovecot = useDovecot(USERS);
  let test: TestInstance;
  beforeAll(async () => {
    test = await emailInstance({}, { scheduler: true });
  });
  afterAll(async () => {
    await test?.close();
  });

  /** Stops the trigger while `deliver` runs, so that one evaluation sees all it delivered. */
  async function deliverAtOnce(flowId: string, deliver: () => Promise<void>) {
    setTriggerDisabled(test, flowId, true);
    await sleep(1500); // an evaluation under way ends
    await deliver();
    setTriggerDisabled(test, flowId, false);
  }

  describe.each(CONNECTIONS)("over %s", (connection) => {
    const imap = connection.startsWith("IMAP");
    const user = userOf(`received-${connection}`);
    const flowId = `received_${connection.toLowerCase()}`;

    it("starts one execution for the mail that came, none while nothing is new, and reports no message twice", async () => {
      // IMAP dates a message by its arrival, POP3 by its Date header: they differ by an hour here
      const base = Date.now();
      const mails = [
        { received: at(base, -30), sent: at(base, -90), id: "plain", extra: { text: "Hello,\nthe report is late." } },
        {
          received: at(base, -10),
          sent: at(base, -70),
          id: "alternative",
          extra: { cc: ["Lead <lead@example.com>", "ops@example.com"], text: "Plain part", html: "<p>HTML part</p>" },
        },
        {
          received: at(base, -20),
          sent: at(base, -80),
          id: "files",
          extra: {
            text: "Two files.",
            attachments: [
              { filename: "report.csv", content: "id,name\n1,Ada\n", contentType: "text/csv" },
              { filename: "blob.bin", content: Buffer.alloc(2048, 1) },
            ],
          },
        },
      ];
      const type = connection === "POP3S" ? "io.kestra.plugin.notifications.mail.MailReceivedTrigger" : RECEIVED;
      await test.instance.deploy(triggerFlow(flowId, type, mailboxProps(dovecot, connection, user)));
      await evaluations(test, flowId, 1);
      expect(executionsOf(test, flowId)).toEqual([]);

      await deliverAtOnce(flowId, async () => {
        for (const mail of mails)
          dovecot.deliver(
            user,
            await compose({
              from: '"Sender" <sender@example.com>',
              to: `Box <${user}>`,
              subject: `Mail ${mail.id}`,
              messageId: `<${mail.id}.${connection}@example.com>`,
              date: mail.sent,
              ...mail.extra,
            }),
            { receivedAt: mail.received },
          );
      });
      const [first] = await triggered(test, flowId, 1);
      const email = (index: number, body: string, more: Partial<EmailData> = {}): EmailData => ({
        subject: `Mail ${mails[index]!.id}`,
        from: "sender@example.com",
        to: [user],
        cc: [],
        bcc: [],
        date: (imap ? mails[index]!.received : mails[index]!.sent).toISOString(),
        body,
        messageId: `<${mails[index]!.id}.${connection}@example.com>`,
        attachments: [],
        ...more,
      });
      const plain = email(0, "Hello,\nthe report is late.\n");
      const alternative = email(1, "Plain part<p>HTML part</p>", { cc: ["lead@example.com", "ops@example.com"] });
      const files = email(2, "Two files.", {
        attachments: [
          { filename: "report.csv", contentType: "text/csv", size: 14 },
          { filename: "blob.bin", contentType: "application/octet-stream", size: 2048 },
        ],
      });
      expect(first).toEqual({ latestEmail: alternative, total: 3, emails: [plain, alternative, files] });

      await evaluations(test, flowId, 2);
      expect(executionsOf(test, flowId)).toHaveLength(1);

      dovecot.deliver(
        user,
        await compose({ from: "late@example.com", to: user, subject: "Mail late", messageId: "<late@example.com>" }),
      );
      const [, second] = await triggered(test, flowId, 2);
      expect((second as { total: number }).total).toBe(1);
      expect((second as { emails: EmailData[] }).emails.map((e) => e.subject)).toEqual(["Mail late"]);
      expect((second as { latestEmail: EmailData }).latestEmail.messageId).toBe("<late@example.com>");
      const executions = executionsOf(test, flowId);
      const done = await test.instance.waitForSettled(executions[0]!.id, 10_000);
      expect(done.state.current).toBe("SUCCESS");
      expect(done.taskRunList[0]!.outputs).toEqual({ value: "Mail alternative" });
      setTriggerDisabled(test, flowId, true);
      await dovecot.idle(user);
    }, 60_000);
  });

  it.each(["IMAP", "POP3"] as const)(
    "%s: the first check takes the mail of the last interval, not older mail",
    async (protocol) => {
      const user = userOf(`window-${protocol}`);
      const old = await compose({ from: "a@example.com", subject: "old", date: new Date(Date.now() - 3_600_000) });
      const recent = await compose({ from: "a@example.com", subject: "recent", date: new Date() });
      dovecot.deliver(user, old, { receivedAt: new Date(Date.now() - 3_600_000) });
      dovecot.deliver(user, recent);
      const flowId = `window_${protocol.toLowerCase()}`;
      await test.instance.deploy(triggerFlow(flowId, RECEIVED, mailboxProps(dovecot, protocol, user), "PT1M"));
      const [vars] = await triggered(test, flowId, 1);
      expect((vars as { emails: EmailData[] }).emails.map((e) => e.subject)).toEqual(["recent"]);
      setTriggerDisabled(test, flowId, true);
    },
  );

  it.each(["IMAP", "POP3"] as const)(
    `%s: more than ${MAX_EMAILS} new messages go in several executions, none lost`,
    async (protocol) => {
      const user = userOf(`many-${protocol}`);
      const flowId = `many_${protocol.toLowerCase()}`;
      await test.instance.deploy(triggerFlow(flowId, RECEIVED, mailboxProps(dovecot, protocol, user)));
      await evaluations(test, flowId, 1);
      await deliverAtOnce(flowId, async () => {
        for (let i = 1; i <= MAX_EMAILS + 3; i++)
          dovecot.deliver(user, await compose({ from: "bulk@example.com", subject: `bulk ${i}`, text: `${i}` }));
      });
      const [first, second] = await triggered(test, flowId, 2, 30_000);
      const subjects = (vars: Record<string, unknown> | undefined) =>
        (vars as { emails: EmailData[] }).emails.map((e) => e.subject);
      expect((first as { total: number }).total).toBe(MAX_EMAILS);
      expect((second as { total: number }).total).toBe(3);
      expect([...subjects(first), ...subjects(second)]).toEqual(
        Array.from({ length: MAX_EMAILS + 3 }, (_, i) => `bulk ${i + 1}`),
      );
      setTriggerDisabled(test, flowId, true);
    },
    60_000,
  );

  it("IMAP: watches the folder it names, and leaves the messages unseen", async () => {
    const user = userOf("folder-imap");
    dovecot.createFolder(user, "Reports");
    const flowId = "folder_imap";
    await test.instance.deploy(triggerFlow(flowId, RECEIVED, mailboxProps(dovecot, "IMAP", user, "folder: Reports")));
    await evaluations(test, flowId, 1);
    dovecot.deliver(user, await compose({ from: "a@example.com", subject: "to the inbox" }));
    dovecot.deliver(user, await compose({ from: "a@example.com", subject: "a report" }), { folder: "Reports" });
    const [vars] = await triggered(test, flowId, 1);
    expect((vars as { emails: EmailData[] }).emails.map((e) => e.subject)).toEqual(["a report"]);
    setTriggerDisabled(test, flowId, true);

    const { ImapFlow } = await import("imapflow");
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: dovecot.ports.imap,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: dovecot.password },
      logger: false,
    });
    await client.connect();
    await client.mailboxOpen("Reports", { readOnly: true });
    const flags = await client.fetchAll("1:*", { flags: true });
    await client.logout();
    expect(flags.map((m) => [...(m.flags ?? [])].includes("\\Seen"))).toEqual([false]);
  });
});
