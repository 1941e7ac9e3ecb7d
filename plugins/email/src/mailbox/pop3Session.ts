/**
 * A mailbox read over POP3 with our {@link Pop3Client}: messages are followed by their unique id
 * (UIDL), and none is ever deleted. POP3 keeps no received date: a message's date is its Date
 * header, as with Kestra. The first check (no cursor yet) reads the dates of the latest messages
 * with `TOP n 0` (the header only), or, from a server without TOP, with the whole message.
 *
 * A message larger than the session reads (its size as LIST gives it) is skipped: it is never
 * retrieved, and counts as seen.
 *
 * @module
 */
import { parseEmail } from "./emailData.ts";
import type { MailCursor } from "./mailCursor.ts";
import type { Mailbox } from "./mailboxProperties.ts";
import {
  CONNECT_TIMEOUT_MS,
  FIRST_CHECK_COUNT,
  MAX_MESSAGE_BYTES,
  mapped,
  once,
  type Endpoint,
  type FoundMessage,
  type MailboxCheck,
  type MailboxSession,
} from "./mailboxSession.ts";
import { Pop3Client, Pop3Error } from "./pop3Client.ts";

/** A message of the mailbox: its number, its unique id (UIDL) and its size in octets (LIST). */
export interface Pop3Listing {
  number: number;
  uid: string;
  size: number;
}

interface Listed extends Pop3Listing {
  read: () => ReturnType<FoundMessage["read"]>;
}

/**
 * The largest answer the client reads for messages of at most `maxMessageBytes`: LIST gives a
 * message's size before the dots the server adds to lines that start with one (at most a third
 * more) and, for some servers, with bare line ends (CRLF on the wire, up to twice the size).
 */
export function answerLimit(maxMessageBytes: number): number {
  return 2 * maxMessageBytes + 64 * 1024;
}

export async function openPop3(
  mailbox: Mailbox,
  endpoint: Endpoint,
  signal: AbortSignal,
  maxMessageBytes = MAX_MESSAGE_BYTES,
): Promise<Pop3Session> {
  return mapped(mailbox, async () => {
    const client = await Pop3Client.connect({
      host: endpoint.address,
      servername: endpoint.servername,
      port: mailbox.port,
      tls: mailbox.ssl,
      rejectUnauthorized: !mailbox.trustAllCertificates,
      timeoutMs: CONNECT_TIMEOUT_MS,
      maxAnswerBytes: answerLimit(maxMessageBytes),
      signal,
    });
    try {
      await client.login(mailbox.username, mailbox.password);
      const uids = await client.uidl();
      const sizes = new Map((await client.list()).map((m) => [m.number, m.size]));
      const listing = uids.map((m) => ({ ...m, size: sizes.get(m.number) ?? 0 }));
      return new Pop3Session(client, mailbox, listing, maxMessageBytes);
    } catch (error) {
      client.close();
      throw error;
    }
  });
}

export class Pop3Session implements MailboxSession {
  private readonly messages: Listed[];
  /** The server refused TOP: dates are read from whole messages. */
  private noTop = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: Pop3Client,
    private readonly mailbox: Mailbox,
    listing: Pop3Listing[],
    /** A larger message is skipped. */
    private readonly maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {
    this.messages = listing.map(({ number, uid, size }) => ({
      number,
      uid,
      size,
      read: once(() => mapped(mailbox, async () => parseEmail(await client.retr(number), undefined))),
    }));
  }

  check(cursor: MailCursor | undefined, since: Date, limit: number): Promise<MailboxCheck> {
    return mapped(this.mailbox, async () => {
      const found = cursor?.protocol === "POP3" ? this.unseen(cursor.seen) : await this.latest(since);
      const pending = found.filter((m) => !this.tooLarge(m));
      return {
        messages: pending.slice(0, limit).map((m) => ({ read: m.read })),
        more: pending.length > limit,
        skipped: found
          .filter((m) => this.tooLarge(m))
          .map((m) => ({ message: `message ${m.number} (UIDL ${m.uid})`, size: m.size, limit: this.maxMessageBytes })),
        // seen: every message of the mailbox but the new ones still to handle (a skipped one is seen)
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

  private tooLarge(message: Listed): boolean {
    return message.size > this.maxMessageBytes;
  }

  /** No cursor: the latest messages dated after `since` are new. */
  private async latest(since: Date): Promise<Listed[]> {
    const fresh: Listed[] = [];
    for (const message of this.messages.slice(-FIRST_CHECK_COUNT)) {
      const date = await this.dateOf(message);
      if (date && date > since) fresh.push(message);
    }
    return fresh;
  }

  /**
   * The message's date (its Date header), read with `TOP n 0` when the server has TOP, else from
   * the whole message; none for a message too large to retrieve (it then counts as seen).
   */
  private async dateOf(message: Listed): Promise<Date | undefined> {
    if (!this.noTop) {
      try {
        return new Date((await parseEmail(await this.client.top(message.number, 0), undefined)).date);
      } catch (error) {
        if (!(error instanceof Pop3Error && error.kind === "refused" && error.command === "TOP")) throw error;
        this.noTop = true;
      }
    }
    return this.tooLarge(message) ? undefined : new Date((await message.read()).date);
  }

  /** Quits; every call gets the same promise, settled once the connection is closed. */
  close(): Promise<void> {
    return (this.closing ??= this.client.quit().catch(() => {}));
  }
}
