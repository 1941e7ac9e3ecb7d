/**
 * MailReceivedTrigger's evaluation on its own, against the machine's real Dovecot: the messages it
 * reports count as seen only once their execution is stored (the event's `onStarted`), so that an
 * evaluation whose execution the engine does not store (the trigger disabled meanwhile) loses
 * nothing: the next check reports the same messages again.
 */
import { describe, expect, it } from "vitest";
import { dovecotAvailable, useDovecot } from "../test/dovecot.ts";
import { compose, triggerContext, userOf } from "../test/mailboxes.ts";
import { MailReceivedTrigger } from "./mailReceivedTrigger.ts";

const available = dovecotAvailable();
const PROTOCOLS = ["IMAP", "POP3"] as const;

describe.skipIf(!available)("MailReceivedTrigger's cursor", () => {
  const dovecot = useDovecot(PROTOCOLS.flatMap((p) => [userOf(`cursor-${p}`), userOf(`first-${p}`)]));

  const propsOf = (protocol: (typeof PROTOCOLS)[number], user: string) =>
    MailReceivedTrigger.properties.parse({
      protocol,
      host: "127.0.0.1",
      port: protocol === "IMAP" ? dovecot.ports.imap : dovecot.ports.pop3,
      username: user,
      password: dovecot.password,
      ssl: false,
      interval: "PT1H",
    });

  it.each(PROTOCOLS)("%s: moves on only once the execution is stored", async (protocol) => {
    const user = userOf(`cursor-${protocol}`);
    const props = propsOf(protocol, user);
    const ctx = triggerContext();
    const subjects = async () => {
      const event = await MailReceivedTrigger.evaluate!(props, ctx);
      return { event, subjects: (event?.variables.emails as { subject: string }[] | undefined)?.map((e) => e.subject) };
    };
    // the first check: nothing yet, the cursor is set
    expect((await subjects()).event).toBeUndefined();
    for (const n of [1, 2])
      dovecot.deliver(user, await compose({ from: "a@example.com", to: user, subject: `Mail ${n}`, text: "x" }));

    const first = await subjects();
    expect(first.subjects).toEqual(["Mail 1", "Mail 2"]);
    // no execution stored for it: the next check reports the same messages
    const again = await subjects();
    expect(again.subjects).toEqual(["Mail 1", "Mail 2"]);
    // stored: they are seen, only what comes after is new
    await again.event!.onStarted!();
    expect((await subjects()).event).toBeUndefined();
    dovecot.deliver(user, await compose({ from: "a@example.com", to: user, subject: "Mail 3", text: "x" }));
    const third = await subjects();
    expect(third.subjects).toEqual(["Mail 3"]);
  });

  it.each(PROTOCOLS)(
    "%s: a first check that finds mail keeps a cursor before it, whether or not its execution is stored",
    async (protocol) => {
      const user = userOf(`first-${protocol}`);
      const props = propsOf(protocol, user);
      const ctx = triggerContext();
      dovecot.deliver(user, await compose({ from: "a@example.com", to: user, subject: "Early", text: "x" }));
      const first = await MailReceivedTrigger.evaluate!(props, ctx);
      expect(first?.variables.total).toBe(1);
      // the date window of a later check would no longer hold the message: the cursor does
      expect(await ctx.kv().list()).toHaveLength(1);
      const again = await MailReceivedTrigger.evaluate!(props, ctx);
      expect(again?.variables.total).toBe(1);
    },
  );
});
