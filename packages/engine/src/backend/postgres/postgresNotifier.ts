/**
 * Notifications between processes over `LISTEN/NOTIFY`. One channel per schema carries every
 * topic as a small JSON envelope `{ s: sender, t: topic, p: payload }`; one dedicated client
 * listens, and reconnects (with a growing pause) when its connection drops. Listeners in this
 * process hear a notification at once, from memory; the copy that comes back from the server is
 * ignored (its sender is this notifier).
 *
 * A notification carries no guarantee (see notifier.ts): one sent while a listener reconnects
 * is lost, and a payload too large for NOTIFY (8000 bytes) reaches other processes reduced to
 * its ids (`{ id, executionId }` when it has them): a follower reads the row for the rest.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { LocalNotifier, type Listener, type Notifier } from "../notifier.ts";
import { quoteIdent } from "./sql.ts";

/** Bytes of a NOTIFY payload PostgreSQL accepts (less than 8000, with room for the envelope). */
const MAX_PAYLOAD = 7900;

interface Envelope {
  s: string;
  t: string;
  p?: unknown;
}

export interface PostgresNotifierOptions {
  /** How to open the listening connection. */
  connection: pg.ClientConfig;
  /** The pool that sends the notifications. */
  pool: pg.Pool;
  /** The NOTIFY channel (one per schema). */
  channel: string;
  onListenerError?: (topic: string, error: unknown) => void;
  /** Told when the listening connection fails (it reconnects by itself). */
  onConnectionError?: (error: unknown) => void;
}

/** The channel of a schema's notifications. */
export function channelOf(schema: string): string {
  return `saker_${schema}`.slice(0, 63);
}

/** A payload's text small enough for NOTIFY: the payload's, or its ids' when it is too large (stringified once). */
function reducedText(payload: unknown): string | undefined {
  if (payload === undefined) return undefined;
  const text = JSON.stringify(payload);
  // a UTF-16 length within the limit is within it in bytes too, unless a character takes three
  if (text === undefined || text.length * 3 <= MAX_PAYLOAD || Buffer.byteLength(text) <= MAX_PAYLOAD) return text;
  if (typeof payload !== "object" || payload === null) return undefined;
  const { id, executionId } = payload as { id?: unknown; executionId?: unknown };
  return JSON.stringify({
    ...(typeof id === "string" ? { id } : {}),
    ...(typeof executionId === "string" ? { executionId } : {}),
    reduced: true,
  });
}

export class PostgresNotifier implements Notifier {
  readonly pollMs = 1000;
  private readonly local: LocalNotifier;
  private readonly sender = randomBytes(9).toString("base64url");
  /** How this notifier's envelopes start: its own copies are recognized without parsing them. */
  private readonly prefix = `{"s":"${this.sender}",`;
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Envelopes waiting to be sent together (one round trip for a burst). */
  private outbox: string[] = [];
  private flushing: Promise<void> | undefined;
  private connected: Promise<void> | undefined;

  constructor(private readonly options: PostgresNotifierOptions) {
    this.local = new LocalNotifier(options.onListenerError);
  }

  /** Starts listening; resolves once the first LISTEN is in place. */
  start(): Promise<void> {
    this.connected ??= this.connect();
    return this.connected;
  }

  notify(topic: string, payload?: unknown): void {
    this.local.notify(topic, payload);
    if (this.closed) return;
    // the envelope `{ s, t, p }` written by hand around the payload's text, stringified once
    const text = reducedText(payload);
    this.outbox.push(`${this.prefix}"t":${JSON.stringify(topic)}${text === undefined ? "" : `,"p":${text}`}}`);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  on(topic: string, listener: Listener): () => void {
    return this.local.on(topic, listener);
  }

  /** Sends what waits in the outbox (wake-ups without a payload once per topic). */
  private async flush(): Promise<void> {
    const batch = [...new Set(this.outbox)];
    this.outbox = [];
    this.flushing = undefined;
    if (batch.length === 0 || this.closed) return;
    try {
      await this.options.pool.query(
        "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS n(p, i) ORDER BY i",
        [this.options.channel, batch],
      );
    } catch (error) {
      // lost, as a notification may be: the other processes poll
      if (!this.closed) this.options.onConnectionError?.(error);
    }
  }

  /** Waits until the notifications sent so far have left (tests, close). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.connection);
    client.on("notification", (message) => this.receive(message.payload));
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("the listening connection ended")));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.options.channel)}`);
    } catch (error) {
      this.lost(client, error);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 100;
  }

  private receive(text: string | undefined): void {
    if (!text || text.startsWith(this.prefix)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.s === this.sender || typeof envelope.t !== "string") return;
    this.local.notify(envelope.t, envelope.p);
  }

  /** The listening connection failed: drop it and connect again later (unless closing). */
  private lost(client: pg.Client, error: unknown): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners("end");
    client.on("error", () => undefined);
    client.end().catch(() => undefined);
    if (this.closed || this.retryTimer) return;
    this.options.onConnectionError?.(error);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) this.connected = this.connect().catch(() => undefined);
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 5000);
  }

  /** Whether the listening connection is up (tests, status). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** The listening client (tests: to cut its connection). */
  get listener(): pg.Client | undefined {
    return this.client;
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
    }
  }
}
