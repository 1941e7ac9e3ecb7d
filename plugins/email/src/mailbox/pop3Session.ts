/**
 * A mailbox read over POP3 with our {@link Pop3Client}: messages are followed by their unique id
 * (UIDL), and none is ever deleted. POP3 keeps no received date: a message's date is its Date
 * header, as with Kestra.
 *
 * @module
 */
import { parseEmail } from "./emailData.ts";
import type { MailCursor } from "./mailCursor.ts";
import type { Mailbox } from "./mailboxProperties.ts";
import {
  CONNECT_TIMEOUT_MS,
  FIRST_CHECK_COUNT,
  mapped,
  once,
  type Endpoint,
  type FoundMessage,
  type MailboxCheck,
  type MailboxSession,
} from "./mailboxSession.ts";
import { Pop3Client } from "./pop3Client.ts";

interface Listed {
  number: number;
  uid: string;
  read: () => ReturnType<FoundMessage["read"]>;
}

export async function openPop3(mailbox: Mailbox, endpoint: Endpoint, signal: AbortSignal): Promise<Pop3Session> {
  return mapped(mailbox, async () => {
    const client = await Pop3Client.connect({
      host: endpoint.address,
      servername: endpoint.servername,
      port: mailbox.port,
      tls: mailbox.ssl,
      rejectUnauthorized: !mailbox.trustAllCertificates,
      timeoutMs: CONNECT_TIMEOUT_MS,
      signal,
    });
    try {
      await client.login(mailbox.username, mailbox.password);
      return new Pop3Session(client, mailbox, await client.uidl());
    } catch (error) {
      client.close();
      throw error;
    }
  });
}

export class Pop3Session implements MailboxSession {
  private readonly messages: Listed[];

  constructor(
    private readonly client: Pop3Client,
    private readonly mailbox: Mailbox,
    listing: { number: number; uid: string }[],
  ) {
    this.messages = listing.map(({ number, uid }) => ({
      number,
      uid,
      read: once(() => mapped(mailbox, async () => parseEmail(await client.retr(number), undefined))),
    }));
  }

  check(cursor: MailCursor | undefined, since: Date, limit: number): Promise<MailboxCheck> {
    return mapped(this.mailbox, async () => {
      const pending = cursor?.protocol === "POP3" ? this.unseen(cursor.seen) : await this.latest(since);
      return {
        messages: pending.slice(0, limit).map((m) => ({ read: m.read })),
        more: pending.length > limit,
        // seen: every message of the mailbox but the new ones still to handle
        cursorAfter: (count) => {
          const waiting = new Set(pending.slice(count).map((m) => m.uid));
          return { protocol: "POP3", seen: this.messages.filter((m) => !waiting.has(m.uid)).map((m) => m.uid) };
        },
      };
    });
  }

  private unseen(seen: readonly string[]): Listed[] {
    const known = new Set(seen);
    return this.messages.filter((m) => !known.has(m.uid));
  }

  /** No cursor: the latest messages dated after `since` are new (reading them tells their date). */
  private async latest(since: Date): Promise<Listed[]> {
    const fresh: Listed[] = [];
    for (const message of this.messages.slice(-FIRST_CHECK_COUNT)) {
      if (new Date((await message.read()).date) > since) fresh.push(message);
    }
    return fresh;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => {});
  }
}
