/**
 * A mailbox read over IMAP with imapflow (loaded on the first connection): the folder is opened
 * read-only (EXAMINE), so reading a message does not mark it seen, and messages are followed by
 * UID. A realtime listener waits for new mail with IDLE ({@link ImapSession.waitForMail}). A
 * message larger than the session reads (its RFC822.SIZE) is skipped: never fetched, and seen.
 *
 * @module
 */
import { Duplex } from "node:stream";
import type { FetchMessageObject, ImapFlow } from "imapflow";
import { TaskError } from "@saker/sdk";
import { parseEmail } from "./emailData.ts";
import type { MailCursor } from "./mailCursor.ts";
import { locate, serverName, type Mailbox } from "./mailboxProperties.ts";
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

/** IDLE is ended and started again this often, so that no server or middlebox drops a quiet connection. */
const IDLE_RESTART_MS = 5 * 60_000;

interface Listed {
  uid: number;
  date: Date | undefined;
  /** RFC822.SIZE, when the server gave it. */
  size: number;
}

function highest(floor: number, messages: readonly Listed[]): number {
  return messages.reduce((top, m) => Math.max(top, m.uid), floor);
}

function listed(message: FetchMessageObject): Listed {
  const date = message.internalDate === undefined ? undefined : new Date(message.internalDate);
  return { uid: message.uid, date, size: message.size ?? 0 };
}

export async function openImap(
  mailbox: Mailbox,
  endpoint: Endpoint,
  signal: AbortSignal,
  maxMessageBytes = MAX_MESSAGE_BYTES,
): Promise<ImapSession> {
  const { ImapFlow } = await import("imapflow");
  const client = new ImapFlow({
    host: endpoint.address,
    port: mailbox.port,
    secure: mailbox.ssl,
    // Kestra's `imap` store does not upgrade a clear-text connection; neither does this one
    ...(mailbox.ssl ? {} : { doSTARTTLS: false }),
    ...(endpoint.servername ? { servername: endpoint.servername } : {}),
    auth: { user: mailbox.username, pass: mailbox.password },
    tls: { rejectUnauthorized: !mailbox.trustAllCertificates },
    logger: false,
    disableAutoIdle: true,
    maxIdleTime: IDLE_RESTART_MS,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
  });
  const session = new ImapSession(client, mailbox, maxMessageBytes);
  // stopped while connecting: the connection is dropped at once
  const abort = () => client.close();
  signal.addEventListener("abort", abort, { once: true });
  try {
    await mapped(mailbox, async () => {
      try {
        await client.connect();
        session.connected();
        await client.mailboxOpen(mailbox.folder, { readOnly: true });
      } catch (error) {
        client.close();
        throw error;
      }
    });
  } finally {
    signal.removeEventListener("abort", abort);
  }
  return session;
}

export class ImapSession implements MailboxSession {
  /** The last error the connection reported (imapflow emits them apart from any command): why it was lost. */
  private lastError: unknown;
  /** An EXISTS arrived since the last check. */
  private news = false;
  private wake: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** imapflow's socket: it drops it (destroy) without waiting for it to be closed. */
  private socket: Duplex | undefined;

  constructor(
    private readonly client: ImapFlow,
    private readonly mailbox: Mailbox,
    /** A larger message is skipped. */
    private readonly maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {
    client.on("error", (error: unknown) => (this.lastError = error));
    client.on("exists", () => {
      this.news = true;
      this.wake?.();
    });
    client.on("close", () => this.wake?.());
  }

  check(cursor: MailCursor | undefined, since: Date, limit: number): Promise<MailboxCheck> {
    this.news = false;
    return mapped(this.mailbox, async () => {
      const box = this.client.mailbox;
      if (!box) throw new Error("the folder is not open");
      const uidValidity = String(box.uidValidity);
      const found =
        cursor?.protocol === "IMAP" && cursor.uidValidity === uidValidity
          ? await this.after(cursor.lastUid)
          : await this.latest(box.exists, box.uidNext - 1, since);
      const pending = found.pending.filter((m) => m.size <= this.maxMessageBytes);
      return {
        messages: pending.slice(0, limit).map((m) => this.message(m)),
        more: pending.length > limit,
        skipped: found.pending
          .filter((m) => m.size > this.maxMessageBytes)
          .map((m) => ({ message: `message UID ${m.uid}`, size: m.size, limit: this.maxMessageBytes })),
        // everything below the first message still to handle is seen (a skipped one too)
        cursorAfter: (count) => ({
          protocol: "IMAP",
          uidValidity,
          lastUid: count < pending.length ? pending[count]!.uid - 1 : found.top,
        }),
      };
    });
  }

  /** The messages with a UID above `lastUid`. */
  private async after(lastUid: number): Promise<{ pending: Listed[]; top: number }> {
    const all = await this.client.fetchAll(
      `${lastUid + 1}:*`,
      { uid: true, internalDate: true, size: true },
      { uid: true },
    );
    // `n:*` always holds the last message, even when its UID is below n
    const pending = all.map(listed).filter((m) => m.uid > lastUid);
    pending.sort((a, b) => a.uid - b.uid);
    return { pending, top: highest(lastUid, pending) };
  }

  /** No cursor: the latest messages received after `since` are new, the rest is seen. */
  private async latest(exists: number, lastUid: number, since: Date): Promise<{ pending: Listed[]; top: number }> {
    const recent = exists
      ? (
          await this.client.fetchAll(`${Math.max(1, exists - FIRST_CHECK_COUNT + 1)}:*`, {
            uid: true,
            internalDate: true,
            size: true,
          })
        ).map(listed)
      : [];
    const pending = recent.filter((m) => m.date !== undefined && m.date > since);
    pending.sort((a, b) => a.uid - b.uid);
    return { pending, top: highest(lastUid, recent) };
  }

  private message(m: Listed): FoundMessage {
    return {
      read: once(() =>
        mapped(this.mailbox, async () => {
          const fetched = await this.client.fetchOne(String(m.uid), { source: true }, { uid: true });
          if (!fetched || !fetched.source)
            throw new TaskError(
              `message UID ${m.uid} left the folder while it was read`,
              locate(this.mailbox, "folder"),
            );
          return parseEmail(fetched.source, m.date);
        }),
      ),
    };
  }

  /** Keeps the connection's socket, to wait for it to be closed on {@link close}. */
  connected(): void {
    // imapflow's `socket` is not part of its typed API: without it, close() just does not wait
    const socket: unknown = Reflect.get(this.client, "socket");
    if (socket instanceof Duplex) this.socket = socket;
  }

  /** Idles until new mail is announced, or the session is closed; throws when the connection was lost. */
  async waitForMail(): Promise<void> {
    while (!this.news && !this.closed && this.client.usable) {
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      const idling = this.client.idle().then(
        () => "ended" as const,
        () => "ended" as const,
      );
      // IDLE ended by itself (the server ended it): start it again, after a pause
      if ((await Promise.race([woken, idling])) === "ended" && !this.news && !this.closed && this.client.usable)
        await new Promise((resolve) => setTimeout(resolve, 1000));
      this.wake = undefined;
    }
    if (this.client.usable || this.closed) return;
    const reason = this.lastError instanceof Error ? `: ${this.lastError.message}` : "";
    throw new TaskError(
      `the connection to ${serverName(this.mailbox)} was lost${reason}`,
      locate(this.mailbox, "host"),
    );
  }

  /**
   * Logs out (or drops the connection); every call gets the same promise, settled once the socket
   * is closed (a stop that returns leaves nothing behind).
   */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.closed = true;
      this.wake?.();
      const socket = this.socket;
      const gone = socket && !socket.closed ? new Promise((resolve) => socket.once("close", resolve)) : undefined;
      if (this.client.usable) {
        const timer = setTimeout(() => this.client.close(), 2000);
        try {
          await this.client.logout();
        } catch {
          // not answered: dropped below
        } finally {
          clearTimeout(timer);
        }
      }
      // LOGOUT answered: nothing more to say, the server closes on its side too
      this.client.close();
      await gone;
    })());
  }
}
