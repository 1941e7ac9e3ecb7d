/**
 * A small POP3 client (RFC 1939) over `node:net` or `node:tls`: the greeting, USER/PASS, STAT,
 * UIDL, LIST, TOP, RETR and QUIT, one command at a time. Multi-line answers end at a line holding a
 * single dot, and lines starting with a dot lose the one the server added (dot-unstuffing).
 *
 * An answer is read into memory: one larger than {@link Pop3ConnectOptions.maxAnswerBytes} (64 MiB
 * by default) fails its command and closes the connection, so that a huge message or a server that
 * sends without end cannot exhaust the process's memory.
 *
 * Every failure is a {@link Pop3Error} saying which command failed and what the server answered;
 * the argument of PASS is never part of one.
 *
 * @module
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export type Pop3ErrorKind =
  /** The server answered `-ERR`. */
  | "refused"
  /** The connection failed or closed (`cause` holds Node's error, with its `code`). */
  | "connection"
  /** The server did not answer within the timeout. */
  | "timeout"
  /** The server's answer is not POP3. */
  | "protocol"
  /** The answer is larger than the client reads ({@link Pop3ConnectOptions.maxAnswerBytes}). */
  | "tooLarge";

export class Pop3Error extends Error {
  constructor(
    message: string,
    readonly kind: Pop3ErrorKind,
    /** The command that failed (`PASS`, `RETR`…), without its arguments. */
    readonly command: string,
    /** What the server said after `-ERR`. */
    readonly serverText?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "Pop3Error";
  }
}

export interface Pop3ConnectOptions {
  /** The address (or name) to connect to. */
  host: string;
  port: number;
  /** TLS from the first byte (POP3S). */
  tls: boolean;
  /** The name the certificate must hold (SNI), when `host` is an address the name resolved to. */
  servername?: string | undefined;
  rejectUnauthorized: boolean;
  /** How long the server may stay silent while an answer is awaited. */
  timeoutMs: number;
  /**
   * The largest answer read, in bytes as the server sends them (status line, dots and end marker
   * included); a larger one fails its command and closes the connection. Default
   * {@link DEFAULT_MAX_ANSWER_BYTES}.
   */
  maxAnswerBytes?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The default {@link Pop3ConnectOptions.maxAnswerBytes}: 64 MiB. */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;

interface Waiting {
  command: string;
  multiline: boolean;
  resolve(answer: { status: string; data: Buffer }): void;
  reject(error: Error): void;
}

const CRLF = Buffer.from("\r\n");
const END_OF_DATA = Buffer.from("\r\n.\r\n");
const STUFFED_LINE = Buffer.from("\r\n.");
/** A status line longer than this is not POP3. */
const MAX_STATUS_LINE = 64 * 1024;

export class Pop3Client {
  // The answer read so far, in a buffer that doubles when full (a large RETR stays linear).
  private buffer = Buffer.alloc(16 * 1024);
  private length = 0;
  /** Where the search for the end of a multi-line answer resumes. */
  private searchFrom = 0;
  private waiting: Waiting | undefined;
  private failure: Error | undefined;
  private quitting: Promise<void> | undefined;
  /** Settled once the socket is closed (Node closes it after `destroy()` returns). */
  private readonly socketClosed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    timeoutMs: number,
    private readonly maxAnswerBytes: number,
  ) {
    this.socketClosed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => {
      // nothing catches what a `data` listener throws: it would end the process
      try {
        this.append(chunk);
        this.drain();
      } catch (error) {
        const command = this.waiting?.command ?? "";
        this.fail(
          error instanceof Pop3Error
            ? error
            : new Pop3Error(
                `reading the answer to ${command || "the server"} failed: ${String(error)}`,
                "protocol",
                command,
                undefined,
                { cause: error },
              ),
        );
      }
    });
    socket.on("error", (error: Error) =>
      this.fail(new Pop3Error(error.message, "connection", this.waiting?.command ?? "", undefined, { cause: error })),
    );
    socket.on("close", () =>
      this.fail(new Pop3Error("the server closed the connection", "connection", this.waiting?.command ?? "")),
    );
    socket.setTimeout(timeoutMs, () => {
      if (!this.waiting) return;
      this.fail(
        new Pop3Error(
          `no answer to ${this.waiting.command} within ${timeoutMs / 1000} s`,
          "timeout",
          this.waiting.command,
        ),
      );
      socket.destroy();
    });
  }

  /** Connects and reads the server's greeting. */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const socket = options.tls
      ? tlsConnect({
          host: options.host,
          port: options.port,
          rejectUnauthorized: options.rejectUnauthorized,
          ...(options.servername ? { servername: options.servername } : {}),
        })
      : netConnect({ host: options.host, port: options.port });
    const client = new Pop3Client(socket, options.timeoutMs, options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES);
    const abort = () => client.close();
    options.signal?.addEventListener("abort", abort, { once: true });
    socket.once("close", () => options.signal?.removeEventListener("abort", abort));
    try {
      await client.answer("greeting", false);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  async login(username: string, password: string): Promise<void> {
    await this.command("USER", `USER ${username}`);
    await this.command("PASS", `PASS ${password}`);
  }

  /** The number of messages and their total size in octets. */
  async stat(): Promise<{ count: number; size: number }> {
    const [count, size] = (await this.command("STAT", "STAT")).split(/\s+/).map(Number);
    if (!Number.isInteger(count) || !Number.isInteger(size))
      throw new Pop3Error("the answer to STAT is not a count and a size", "protocol", "STAT");
    return { count: count!, size: size! };
  }

  /** Every message's number and unique id, in the mailbox's order (oldest first). */
  async uidl(): Promise<{ number: number; uid: string }[]> {
    return (await this.listing("UIDL")).map(([number, uid]) => ({ number, uid }));
  }

  /** Every message's number and size in octets. */
  async list(): Promise<{ number: number; size: number }[]> {
    return (await this.listing("LIST")).map(([number, size]) => ({ number, size: Number(size) }));
  }

  /** The whole message `number`, as the server stored it (a buffer of its own). */
  async retr(number: number): Promise<Buffer> {
    return (await this.exchange("RETR", `RETR ${number}`, true)).data;
  }

  /**
   * The header of message `number` and the first `lines` lines of its body (TOP is optional in
   * POP3: a server without it refuses it, a {@link Pop3Error} of kind `refused`).
   */
  async top(number: number, lines: number): Promise<Buffer> {
    return (await this.exchange("TOP", `TOP ${number} ${lines}`, true)).data;
  }

  /**
   * Ends the session (nothing is deleted: this client never marks a message) and closes; every
   * call gets the same promise, settled once the socket is closed.
   */
  quit(): Promise<void> {
    return (this.quitting ??= (async () => {
      try {
        if (!this.failure) await this.command("QUIT", "QUIT");
      } finally {
        this.close();
        await this.socketClosed;
      }
    })());
  }

  close(): void {
    this.socket.destroy();
  }

  private async listing(command: string): Promise<[number, string][]> {
    const { data } = await this.exchange(command, command, true);
    const lines = data.toString("utf8").split("\r\n").filter(Boolean);
    return lines.map((line) => {
      const [number, value] = line.trim().split(/\s+/);
      if (!number || !/^\d+$/.test(number) || !value)
        throw new Pop3Error(`a line of the answer to ${command} is not '<number> <value>'`, "protocol", command);
      return [Number(number), value];
    });
  }

  private async command(name: string, line: string): Promise<string> {
    return (await this.exchange(name, line, false)).status;
  }

  private exchange(name: string, line: string, multiline: boolean): Promise<{ status: string; data: Buffer }> {
    const answer = this.answer(name, multiline);
    if (!this.failure) this.socket.write(`${line}\r\n`);
    return answer;
  }

  private answer(command: string, multiline: boolean): Promise<{ status: string; data: Buffer }> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting = { command, multiline, resolve, reject };
      this.drain();
    });
  }

  private append(chunk: Buffer): void {
    if (this.length + chunk.length > this.maxAnswerBytes) {
      const command = this.waiting?.command ?? "";
      throw new Pop3Error(
        `the answer to ${command || "nothing"} is larger than ${sizeName(this.maxAnswerBytes)}, the most this client reads`,
        "tooLarge",
        command,
      );
    }
    if (this.length + chunk.length > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + chunk.length));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length);
    this.length += chunk.length;
  }

  private consume(count: number): void {
    this.buffer.copyWithin(0, count, this.length);
    this.length -= count;
    this.searchFrom = 0;
  }

  /** Settles the waiting command once its whole answer is in. */
  private drain(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const read = this.buffer.subarray(0, this.length);
    const lineEnd = read.indexOf(CRLF);
    if (lineEnd < 0) {
      if (this.length > MAX_STATUS_LINE)
        this.fail(new Pop3Error("the answer is not POP3", "protocol", waiting.command));
      return;
    }
    const status = read.subarray(0, lineEnd).toString("utf8");
    if (status.startsWith("-ERR")) {
      this.consume(lineEnd + 2);
      return this.settle(() => waiting.reject(refusal(waiting.command, status.slice(4).trim())));
    }
    if (!status.startsWith("+OK")) {
      // an answer that is not POP3 leaves the stream unusable
      return this.fail(new Pop3Error(`the answer to ${waiting.command} is not POP3`, "protocol", waiting.command));
    }
    if (!waiting.multiline) {
      this.consume(lineEnd + 2);
      return this.settle(() => waiting.resolve({ status: status.slice(3).trim(), data: Buffer.alloc(0) }));
    }
    // the status line's own CRLF may start the end marker: an empty answer is "+OK\r\n.\r\n"
    const end = read.indexOf(END_OF_DATA, Math.max(lineEnd, this.searchFrom));
    if (end < 0) {
      this.searchFrom = Math.max(lineEnd, this.length - END_OF_DATA.length + 1);
      return;
    }
    const data = unstuff(read.subarray(lineEnd + 2, end + 2));
    this.consume(end + END_OF_DATA.length);
    this.settle(() => waiting.resolve({ status: status.slice(3).trim(), data }));
  }

  private settle(done: () => void): void {
    this.waiting = undefined;
    done();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
    this.socket.destroy();
  }
}

function refusal(command: string, text: string): Pop3Error {
  const what = command === "greeting" ? "refused the connection" : `refused ${command}`;
  return new Pop3Error(`the server ${what}: ${text || "-ERR"}`, "refused", command, text);
}

/** `64 MiB`, `1.5 KiB`, `100 bytes`. */
export function sizeName(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const)
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
  return `${bytes} bytes`;
}

/**
 * Removes the dot the server put before every line that starts with one, into a new buffer: the
 * answer is never a view of the client's buffer, which the next answer overwrites.
 */
function unstuff(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let written = 0;
  // the first line starts the data: a dot there is stuffed too
  let from = data[0] === 0x2e ? 1 : 0;
  for (let dot = data.indexOf(STUFFED_LINE, from); dot >= 0; dot = data.indexOf(STUFFED_LINE, from)) {
    written += data.copy(out, written, from, dot + 2);
    from = dot + 3;
  }
  written += data.copy(out, written, from);
  return out.subarray(0, written);
}
