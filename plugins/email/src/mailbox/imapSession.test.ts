/**
 * ImapSession against the machine's real Dovecot: a message larger than the session reads (its
 * RFC822.SIZE) is never fetched, is reported as skipped, and the cursor moves past it.
 */
import { describe, expect, it } from "vitest";
import { dovecotAvailable, useDovecot } from "../../test/dovecot.ts";
import { compose } from "../../test/mailboxes.ts";
import { openImap } from "./imapSession.ts";
import type { Mailbox } from "./mailboxProperties.ts";

const available = dovecotAvailable();
const USER = "large@example.com";

describe.skipIf(!available)("ImapSession", () => {
  const dovecot = useDovecot([USER]);

  it("skips a message larger than it reads, and counts it as seen", async () => {
    const big = await compose({ from: "a@example.com", subject: "big", text: "x".repeat(5000) });
    dovecot.deliver(USER, await compose({ from: "a@example.com", subject: "small" }));
    dovecot.deliver(USER, big);
    dovecot.deliver(USER, await compose({ from: "a@example.com", subject: "last" }));
    const mailbox: Mailbox = {
      protocol: "IMAP",
      host: "127.0.0.1",
      port: dovecot.ports.imap,
      username: USER,
      password: dovecot.password,
      folder: "INBOX",
      ssl: false,
      trustAllCertificates: false,
      intervalMs: 60_000,
      where: { flow: "company.mail/direct", triggerId: "watch" },
    };
    const session = await openImap(
      mailbox,
      { address: "127.0.0.1", servername: undefined },
      new AbortController().signal,
      4096,
    );
    try {
      const check = await session.check(undefined, new Date(Date.now() - 60_000), 10);
      expect(await Promise.all(check.messages.map(async (m) => (await m.read()).subject))).toEqual(["small", "last"]);
      expect(check.skipped).toEqual([{ message: "message UID 2", size: expect.any(Number), limit: 4096 }]);
      expect(check.skipped[0]!.size).toBeGreaterThan(5000);
      // handled the first: the cursor stops before "last", past the skipped one
      expect(check.cursorAfter(1)).toMatchObject({ protocol: "IMAP", lastUid: 2 });
      expect(check.cursorAfter(2)).toMatchObject({ protocol: "IMAP", lastUid: 3 });
      const next = await session.check(check.cursorAfter(1), new Date(), 10);
      expect(next.skipped).toEqual([]);
      expect(next.messages).toHaveLength(1);
    } finally {
      await session.close();
    }
  });
});
