/**
 * Server-sent events on a hijacked reply: `id: <id>\ndata: <json>\n\n` per event, as Kestra's
 * streams send them, a comment line every 15 s to keep proxies from closing an idle stream, and
 * cleanup callbacks when either side closes.
 */
import type { FastifyReply } from "fastify";

export class SseStream {
  private closed = false;
  private readonly cleanups: (() => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  /** `show`: what of an event's data may be sent (secrets masked). */
  constructor(
    private readonly reply: FastifyReply,
    private readonly show: (data: unknown) => unknown,
  ) {
    reply.hijack();
    reply.raw.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    reply.raw.flushHeaders();
    this.heartbeat = setInterval(() => this.write(":\n\n"), 15_000);
    this.heartbeat.unref();
    // the response's "close": the request's fires as soon as its (empty) body was read
    reply.raw.on("close", () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` once the stream is closed, by us or by the client. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanups.push(fn);
  }

  send(id: string, data: unknown): void {
    this.write(`id: ${id}\ndata: ${JSON.stringify(this.show(data))}\n\n`);
  }

  /**
   * Events whose data is JSON text already shown (secrets masked, see `show`), written at once:
   * the backlog of a follow goes out a page at a time, not an event at a time.
   */
  sendShownJson(id: string, texts: readonly string[]): void {
    if (texts.length === 0) return;
    let out = "";
    for (const text of texts) out += `id: ${id}\ndata: ${text}\n\n`;
    this.write(out);
  }

  /** Ends the stream (after what was written is flushed). */
  end(): void {
    if (this.closed) return;
    this.reply.raw.end();
    this.close();
  }

  private write(text: string): void {
    if (!this.closed) this.reply.raw.write(text);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const fn of this.cleanups.splice(0)) fn();
  }
}
