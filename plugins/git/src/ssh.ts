/**
 * The SSH transport, as an HTTP client isomorphic-git speaks through. isomorphic-git knows git's
 * smart HTTP protocol only: a GET of `<repo>/info/refs?service=<service>` (the ref advertisement),
 * then a POST of `<repo>/<service>` (the request, answered by the result). Over SSH, git runs
 * `<service> '<path>'` as an exec channel on the server instead (gitprotocol-pack(5)): the server
 * first writes the same ref advertisement (pkt-lines up to a flush-pkt, without HTTP's
 * `# service=…` line and its flush), then reads the client's request (the bytes isomorphic-git
 * POSTs) and writes what the POST would have answered, until it exits.
 *
 * So the GET opens a connection and its channel and answers with the advertisement behind the
 * `# service=` pkt-line; the POST writes its body into the same channel and answers with what
 * the server sends until the channel closes. A GET with no POST after it (listing branches, an
 * empty repository) is ended by `release()`: a flush-pkt tells the server the client wants
 * nothing, and it exits.
 *
 * What the server sends is kept as the Buffers ssh2 gives, and handed on as they are (no joined
 * copy of a fetched pack); the advertisement's pkt-lines are read as they come, a pkt-line
 * crossing two of those Buffers being the only thing joined. The request is written by slices,
 * each slice the server takes in counting, like each byte it sends, as a sign of life for
 * `readTimeout`. `connectTimeout` bounds the TCP connection, the handshake and the exec request.
 *
 * The server's host key is not checked, as in Kestra (JGit with StrictHostKeyChecking=no); its
 * fingerprint is logged at debug level. The private key, its passphrase and the password never
 * reach a log line or an error: every message goes through the remote's redaction.
 */
import { createHash, createPrivateKey, randomBytes, type KeyObject } from "node:crypto";
import { connect as netConnect, type Socket } from "node:net";
import { NonRetryableError, TaskError, resolveOutbound, type RunContext } from "@saker/sdk";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import type { AnyAuthMethod, Client, ClientChannel, ParsedKey } from "ssh2";
import type { HttpTimeouts } from "./http.ts";
import type { Remote } from "./remote.ts";
import type { Transport } from "./repository.ts";
import { SSH_STAND_IN_URL, sshCommand, type SshTarget } from "./sshUrl.ts";

export interface SshCredentials {
  privateKey?: string | undefined;
  passphrase?: string | undefined;
  password?: string | undefined;
}

type Service = "git-upload-pack" | "git-receive-pack";

const FLUSH = Buffer.from("0000");
const EMPTY = Buffer.alloc(0);
/** The request is written by slices of this size: each one the server takes in refreshes the read timer. */
const WRITE_SLICE = 64 * 1024;
/** Most of what a server writes on stderr is kept for the error message; no more. */
const STDERR_LIMIT = 8192;

/** The transport of an SSH remote (`remote.ssh` set): one SSH connection per git call. */
export function sshTransport(
  ctx: RunContext,
  remote: Remote & { ssh: SshTarget & { password?: string } },
  credentials: SshCredentials,
  timeouts: HttpTimeouts,
): Transport {
  const target = remote.ssh;
  const password = credentials.password ?? target.password;
  let pending: Exchange | undefined;
  let key: ParsedKey | undefined;

  const release = () => {
    pending?.abandon();
    pending = undefined;
  };

  const http: HttpClient = {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const { service, discovery } = routeOf(req);
      if (discovery) {
        release();
        if (credentials.privateKey && !key) key = await readPrivateKey(credentials.privateKey, credentials.passphrase);
        const exchange = await Exchange.open(ctx, remote, service, { key, password }, timeouts);
        pending = exchange;
        const advertisement = await exchange.advertisement();
        return response(req, service, "advertisement", [pktLine(`# service=${service}\n`), FLUSH, ...advertisement]);
      }
      const exchange = pending;
      pending = undefined;
      if (!exchange || exchange.service !== service) {
        // the open exchange (of the other service) is of no use: its connection goes too
        exchange?.abandon();
        throw new TaskError(`${service} was asked for without its reference advertisement`);
      }
      try {
        return response(req, service, "result", await exchange.send(req.body ?? []));
      } finally {
        exchange.close();
      }
    },
  };
  return { http, url: SSH_STAND_IN_URL, release };
}

/** Which service a request of isomorphic-git is for, and whether it is the GET of the advertisement. */
function routeOf(req: GitHttpRequest): { service: Service; discovery: boolean } {
  const url = new URL(req.url);
  const asked = url.searchParams.get("service");
  if ((req.method ?? "GET") === "GET" && url.pathname.endsWith("/info/refs") && isService(asked))
    return { service: asked, discovery: true };
  const last = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
  if (req.method === "POST" && isService(last)) return { service: last, discovery: false };
  throw new TaskError(`the SSH transport cannot answer ${req.method ?? "GET"} ${url.pathname}`);
}

function isService(name: string | null): name is Service {
  return name === "git-upload-pack" || name === "git-receive-pack";
}

/** The answer to isomorphic-git, `chunks` given as they are (a Buffer is a Uint8Array): no copy. */
function response(req: GitHttpRequest, service: Service, kind: string, chunks: Buffer[]): GitHttpResponse {
  return {
    url: req.url,
    method: req.method ?? "GET",
    statusCode: 200,
    statusMessage: "OK",
    headers: { "content-type": `application/x-${service}-${kind}` },
    body: (async function* () {
      for (const chunk of chunks) if (chunk.length) yield chunk;
    })(),
  };
}

/** One exec channel of `service` on its own connection: the advertisement, then one request and its result. */
class Exchange {
  /** What the server sent on stdout, as ssh2 gave it: the advertisement, then the result. */
  private chunks: Buffer[] = [];
  /** How many of `chunks` the advertisement's reader has read. */
  private scanned = 0;
  private readonly reader: AdvertisementReader;
  private closed = false;
  /** The read timer of the wait under way (see `until`), refreshed by the server's bytes and by the request's progress. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private stderr = "";
  private exit: { code: number | null; signal?: string } | undefined;
  /** The writer's waits for room in the channel (see `drained`). */
  private readonly blocked = new Set<() => void>();
  /** The wait for the server's answer is over (it answered, or the exchange failed): the writer stops. */
  private answered = false;
  /** The server's SSH window for the channel at the last look (see `windowGrew`). */
  private window = Number.POSITIVE_INFINITY;
  private readonly onAbort = () => this.fail(this.ctx.signal.reason);

  private constructor(
    private readonly ctx: RunContext,
    private readonly remote: Remote,
    readonly service: Service,
    private readonly client: Client,
    private readonly channel: ClientChannel,
    private readonly timeouts: HttpTimeouts,
  ) {
    this.reader = new AdvertisementReader(
      (data) => this.notGit(data),
      (message) =>
        new NonRetryableError(`the server refused the repository: ${this.remote.redact(message)}`, { path: "url" }),
    );
    channel.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.notify();
    });
    // the stream's own errors (a write after the server hung up): what the server said, or its
    // silence, is the outcome, not those
    channel.on("error", () => undefined);
    channel.stderr.on("data", (chunk: Buffer) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += chunk.toString("utf8");
      this.notify();
    });
    channel.on("exit", (code: number | null, signal?: string) => {
      this.exit = { code, ...(signal ? { signal } : {}) };
    });
    channel.on("close", () => {
      this.closed = true;
      this.notify();
    });
    client.on("error", (error: unknown) => this.fail(error));
    client.on("close", () => {
      this.closed = true;
      this.notify();
    });
    ctx.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  static async open(
    ctx: RunContext,
    remote: Remote & { ssh: SshTarget },
    service: Service,
    auth: { key: ParsedKey | undefined; password: string | undefined },
    timeouts: HttpTimeouts,
  ): Promise<Exchange> {
    const { default: ssh2 } = await import("ssh2");
    const target = remote.ssh;
    const address = await resolveOutbound(ctx, target.host, "url");
    const sock = await connectSocket(ctx, address, target.port, timeouts.connectTimeout);
    const client = new ssh2.Client();
    // ssh2 may report more than one error for one failure (a refused login, then the lost socket)
    client.on("error", () => undefined);
    let fingerprint = "";
    try {
      await new Promise<void>((resolve, reject) => {
        const stop = () => reject(ctx.signal.reason);
        ctx.signal.addEventListener("abort", stop, { once: true });
        client.once("ready", () => {
          ctx.signal.removeEventListener("abort", stop);
          resolve();
        });
        client.once("error", (error) => {
          ctx.signal.removeEventListener("abort", stop);
          reject(error);
        });
        // the key parsed (and decrypted) once for the task run, not again for each connection
        const methods: AnyAuthMethod[] = [];
        if (auth.key) methods.push({ type: "publickey", username: target.user, key: auth.key });
        if (auth.password !== undefined)
          methods.push({ type: "password", username: target.user, password: auth.password });
        client.connect({
          sock,
          username: target.user,
          authHandler: methods,
          readyTimeout: timeouts.connectTimeout,
          keepaliveInterval: 0,
          // not checked, as Kestra does not (StrictHostKeyChecking=no): recorded for the debug log
          hostVerifier: (hostKey: Buffer) => {
            fingerprint = `SHA256:${createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "")}`;
            return true;
          },
        });
      });
    } catch (error) {
      client.end();
      sock.destroy();
      throw loginFailure(error, target, auth, timeouts);
    }
    ctx.logger.debug(
      "Connected over SSH to {}:{} as {} (host key {}, not verified)",
      target.host,
      target.port,
      target.user,
      fingerprint,
    );
    let channel: ClientChannel;
    try {
      channel = await execute(ctx, client, service, sshCommand(service, target.path), timeouts.connectTimeout);
    } catch (error) {
      client.end();
      if (error instanceof Unanswered || ctx.signal.aborted) throw error;
      throw new TaskError(
        `the server did not run ${service}: ${remote.redact(error instanceof Error ? error.message : String(error))}`,
      );
    }
    return new Exchange(ctx, remote, service, client, channel, timeouts);
  }

  /**
   * The ref advertisement: the pkt-lines the server writes first, up to and with their flush-pkt.
   * An empty repository's (a lone flush-pkt from git before 2.41) is given in the `no-refs` form
   * git 2.41 writes (`<zero-id> capabilities^{}`): isomorphic-git reads a lone flush-pkt as a
   * protocol v2 answer and would send a v2 `ls-refs` request the server does not speak.
   */
  async advertisement(): Promise<Buffer[]> {
    await this.until(() => this.scan());
    const end = this.reader.end;
    if (end < 0) throw this.refusal();
    if (end === 4) return [pktLine(`${"0".repeat(40)} capabilities^{}\0\n`), FLUSH];
    return splitAt(this.chunks, end)[0];
  }

  /**
   * Writes the request and returns everything the server writes after the advertisement, until it
   * exits. The read timer runs from the start: the server's bytes, and each slice of the request
   * it takes in (a large pack pushed over a slow link), refresh it.
   */
  async send(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer[]> {
    const writing = this.write(body).catch((error: unknown) => this.fail(error));
    try {
      await this.until(() => false);
    } finally {
      this.answered = true;
      this.unblock();
      await writing;
    }
    const [, rest] = splitAt(this.chunks, this.reader.end);
    this.chunks = [];
    const code = this.exit?.code;
    if (code !== undefined && code !== 0) {
      if (rest.every((chunk) => chunk.length === 0)) throw this.refusal();
      const said = this.remote.redact(this.stderr.trim());
      if (said) throw new TaskError(`${this.service} failed on the server: ${said} (exit code ${code})`);
    }
    return rest;
  }

  /** Tells the server the client wants nothing more (a flush-pkt), then hangs up. */
  abandon(): void {
    if (!this.closed && this.failure === undefined && this.channel.writable) {
      this.channel.write(FLUSH);
      this.channel.end();
    }
    this.close();
  }

  close(): void {
    this.ctx.signal.removeEventListener("abort", this.onAbort);
    this.client.end();
  }

  /** Reads the chunks not read yet; true once the flush-pkt ending the advertisement is in. */
  private scan(): boolean {
    while (this.reader.end < 0 && this.scanned < this.chunks.length) this.reader.push(this.chunks[this.scanned++]!);
    return this.reader.end >= 0;
  }

  /**
   * Writes `body` into the channel by slices (views, no copy), waiting for room when the channel's
   * buffer is full; each slice ssh2 hands to the server (within its SSH window, so as the server
   * reads) refreshes the read timer. Then ends the channel for receive-pack. Stops when the exchange
   * fails or the channel closes.
   */
  private async write(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    const stopped = () => this.answered || this.failure !== undefined || this.closed || !this.channel.writable;
    for await (const part of body) {
      const data = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      for (let at = 0; at < data.length; at += WRITE_SLICE) {
        if (stopped()) return;
        const room = this.channel.write(data.subarray(at, at + WRITE_SLICE), (error) => {
          if (error) return;
          this.timer?.refresh();
          this.windowGrew();
        });
        if (!room) await this.drained();
      }
    }
    // git send-pack closes its end after the pack; upload-pack answers `done` without waiting for one
    if (this.service === "git-receive-pack" && !stopped()) this.channel.end();
  }

  /** Until the channel has room for more, or closes, or the exchange fails or ends. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.channel.off("drain", done);
        this.channel.off("close", done);
        this.blocked.delete(done);
        resolve();
      };
      this.channel.on("drain", done);
      this.channel.on("close", done);
      this.blocked.add(done);
    });
  }

  /**
   * Whether the server let more of the request in since the last look (its SSH window for the
   * channel grew: it read what was sent). ssh2 sends within that window and keeps its size in
   * `outgoing.window`; the writer's own sending shrinks it, so it looks after each slice too.
   */
  private windowGrew(): boolean {
    const window = (this.channel.outgoing as { window?: unknown } | undefined)?.window;
    if (typeof window !== "number") return false;
    const grew = window > this.window;
    this.window = window;
    return grew;
  }

  /** Ends the writer's wait for room. */
  private unblock(): void {
    for (const done of [...this.blocked]) done();
  }

  /**
   * Waits until `done()` or the channel closes, failing after `readTimeout` without a sign of life
   * from the server: a byte it sends, a slice of the request it takes in, or its SSH window for the
   * request growing (it read more of what was sent: the end of a large pack on a slow link).
   */
  private async until(done: () => boolean): Promise<void> {
    const timer = setTimeout(() => {
      if (this.windowGrew()) timer.refresh();
      else this.fail(new TaskError(`no answer from the server within ${this.timeouts.readTimeout} ms`));
    }, this.timeouts.readTimeout);
    this.timer = timer;
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure;
        if (done() || this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        timer.refresh();
      }
    } catch (error) {
      this.client.end();
      throw error;
    } finally {
      this.timer = undefined;
      clearTimeout(timer);
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error ?? new TaskError("the SSH connection failed");
    this.client.end();
    this.notify();
    this.unblock();
  }

  /** The channel closed before the advertisement (or before any answer): the server's stderr says why. */
  private refusal(): NonRetryableError {
    const said = this.remote.redact(this.stderr.trim());
    const exit =
      this.exit?.code != null ? ` (exit code ${this.exit.code})` : this.exit?.signal ? ` (${this.exit.signal})` : "";
    return new NonRetryableError(
      said
        ? `the server refused: ${said}${exit}; check that the repository exists and that the key may read it`
        : `the server closed the connection without answering${exit}; check the repository path of url`,
      { path: "url" },
    );
  }

  private notGit(data: Buffer): NonRetryableError {
    const text = this.remote.redact(data.toString("utf8", 0, Math.min(data.length, 80)).replace(/\s+/g, " ").trim());
    return new NonRetryableError(`the server did not answer as a git server: '${text}'`, { path: "url" });
  }
}

/** A step of the connection the server did not answer within its time. */
class Unanswered extends TaskError {}

/**
 * Runs `command` on a new exec channel of `client`, failing after `timeout` ms (connectTimeout:
 * the start of the command is part of setting up the connection) or when the task is stopped.
 */
function execute(
  ctx: RunContext,
  client: Client,
  service: Service,
  command: string,
  timeout: number,
): Promise<ClientChannel> {
  return new Promise<ClientChannel>((resolve, reject) => {
    const done = (error: unknown, channel?: ClientChannel) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", stop);
      if (channel) resolve(channel);
      else reject(error);
    };
    const stop = () => done(ctx.signal.reason);
    const timer = setTimeout(
      () => done(new Unanswered(`the server did not start ${service} within ${timeout} ms`)),
      timeout,
    );
    if (ctx.signal.aborted) return stop();
    ctx.signal.addEventListener("abort", stop, { once: true });
    try {
      client.exec(command, (error, channel) => (error ? done(error) : done(undefined, channel)));
    } catch (error) {
      done(error); // the connection went away since the handshake
    }
  });
}

/**
 * Finds where the ref advertisement ends (after its flush-pkt) in the data given chunk by chunk:
 * the pkt-lines whole in a chunk are read in place, one crossing chunks is joined (it is at most
 * 65520 bytes). Fails on what is not a pkt-line, and on an `ERR` pkt-line (the server's refusal).
 */
export class AdvertisementReader {
  /** Where the advertisement ends in the data (after its flush-pkt); -1 until it is read. */
  end = -1;
  /** The bytes given before the current chunk. */
  private seen = 0;
  /** The start of a pkt-line the chunks so far do not finish. */
  private carry: Buffer = EMPTY;

  constructor(
    private readonly notGit: (data: Buffer) => Error,
    private readonly refused: (message: string) => Error,
  ) {}

  /** Reads `chunk`; true once the flush-pkt is in (what follows it is not read). */
  push(chunk: Buffer): boolean {
    if (this.end >= 0) return true;
    const start = this.seen;
    this.seen += chunk.length;
    let pos = 0;
    if (this.carry.length > 0) {
      const carried = this.carry.length;
      // (with a few bytes more than the length needs, for the message when it is not one)
      const head = carried >= 4 ? this.carry : Buffer.concat([this.carry, chunk.subarray(0, 80)]);
      if (head.length < 4) {
        this.carry = head; // the chunk was shorter than the rest of the length
        return false;
      }
      const size = this.sizeAt(head, 0);
      const line = size === 0 ? head.subarray(0, 4) : Buffer.concat([this.carry, chunk.subarray(0, size - carried)]);
      pos = line.length - carried;
      if (line.length < Math.max(size, 4)) {
        this.carry = line;
        return false;
      }
      this.carry = EMPTY;
      if (this.read(line, 0, size)) {
        this.end = start + pos;
        return true;
      }
    }
    while (pos + 4 <= chunk.length) {
      const size = this.sizeAt(chunk, pos);
      const next = pos + Math.max(size, 4);
      if (next > chunk.length) break;
      const flush = this.read(chunk, pos, size);
      pos = next;
      if (flush) {
        this.end = start + pos;
        return true;
      }
    }
    this.carry = chunk.subarray(pos);
    return false;
  }

  /** The length of the pkt-line at `pos` (0 for a flush-pkt). */
  private sizeAt(data: Buffer, pos: number): number {
    const head = data.toString("latin1", pos, pos + 4);
    const size = /^[0-9a-f]{4}$/i.test(head) ? Number.parseInt(head, 16) : -1;
    if (size !== 0 && size < 4) throw this.notGit(data.subarray(pos));
    return size;
  }

  /** Checks the pkt-line of `size` bytes at `pos`; true for the flush-pkt. */
  private read(data: Buffer, pos: number, size: number): boolean {
    if (size === 0) return true;
    if (data.toString("latin1", pos + 4, pos + 8) === "ERR ")
      throw this.refused(data.toString("utf8", pos + 8, pos + size).trim());
    return false;
  }
}

/** `chunks` cut at `offset`: what comes before and what comes after, as views of the same memory. */
function splitAt(chunks: Buffer[], offset: number): [Buffer[], Buffer[]] {
  const before: Buffer[] = [];
  const after: Buffer[] = [];
  let seen = 0;
  for (const chunk of chunks) {
    if (seen + chunk.length <= offset) before.push(chunk);
    else if (seen >= offset) after.push(chunk);
    else {
      before.push(chunk.subarray(0, offset - seen));
      after.push(chunk.subarray(offset - seen));
    }
    seen += chunk.length;
  }
  return [before, after];
}

function connectSocket(ctx: RunContext, address: string, port: number, timeout: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const sock = netConnect({ host: address, port });
    const done = (error?: unknown) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", stop);
      if (error === undefined) return resolve(sock);
      sock.destroy();
      reject(error);
    };
    const stop = () => done(ctx.signal.reason);
    const timer = setTimeout(() => done(new TaskError(`could not connect within ${timeout} ms`)), timeout);
    ctx.signal.addEventListener("abort", stop, { once: true });
    sock.once("connect", () => done());
    sock.once("error", (error) => done(error));
  });
}

/** The task error for a failed SSH handshake or login. */
function loginFailure(
  error: unknown,
  target: SshTarget,
  auth: { key: ParsedKey | undefined; password: string | undefined },
  timeouts: HttpTimeouts,
): unknown {
  const e = error as { level?: string; message?: string; code?: string };
  if (e?.level === "client-authentication") {
    const what = auth.key ? "the SSH key (privateKey)" : "the password";
    return new NonRetryableError(
      `the server refused ${what} for user '${target.user}'; check that its public key is registered for the repository`,
      { path: auth.key ? "privateKey" : "password" },
    );
  }
  if (e?.level === "client-timeout")
    return new TaskError(
      `the SSH handshake with ${target.host}:${target.port} did not complete within ${timeouts.connectTimeout} ms`,
    );
  if (e?.level === "protocol" || e?.level === "handshake")
    return new TaskError(`${target.host}:${target.port} did not answer as an SSH server`);
  return error;
}

/**
 * Reads `privateKey` as ssh2 will, for a clear error before connecting: OpenSSH or PEM (PKCS#1
 * RSA, SEC1 ECDSA), and PKCS#8 (`BEGIN [ENCRYPTED] PRIVATE KEY`, RSA, ECDSA or Ed25519) turned
 * into a form ssh2 reads. Errors name the property and never hold the key.
 */
export async function readPrivateKey(privateKey: string, passphrase: string | undefined): Promise<ParsedKey> {
  const { default: ssh2 } = await import("ssh2");
  let text = `${privateKey.replace(/\r\n?/g, "\n").trim()}\n`;
  let pass = passphrase || undefined;
  if (/^-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    text = fromPkcs8(text, pass);
    pass = undefined;
  }
  const parsed = ssh2.utils.parseKey(text, pass);
  if (parsed instanceof Error) throw keyError(parsed.message, pass !== undefined);
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!first || !first.isPrivateKey())
    throw new NonRetryableError("privateKey holds a public key: give the private key", { path: "privateKey" });
  return first;
}

function keyError(message: string, withPassphrase: boolean): NonRetryableError {
  if (/no passphrase given/i.test(message) || (!withPassphrase && /encrypted/i.test(message)))
    return new NonRetryableError("privateKey is encrypted: set passphrase", { path: "passphrase" });
  if (withPassphrase && /passphrase|decrypt|integrity/i.test(message))
    return new NonRetryableError("passphrase does not decrypt privateKey (wrong passphrase)", { path: "passphrase" });
  return new NonRetryableError(
    "privateKey is not a private key Saker can read: give an RSA, ECDSA or Ed25519 key in OpenSSH form (BEGIN OPENSSH PRIVATE KEY) or PEM (BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY, BEGIN PRIVATE KEY)",
    { path: "privateKey" },
  );
}

/** A PKCS#8 key as PKCS#1 (RSA), SEC1 (ECDSA) or OpenSSH (Ed25519) text, unencrypted (in memory only). */
function fromPkcs8(text: string, passphrase: string | undefined): string {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem", ...(passphrase ? { passphrase } : {}) });
  } catch (error) {
    if (!passphrase && text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
      throw keyError("no passphrase given", false);
    const e = error as { code?: string; message?: string };
    if (passphrase && /decrypt/i.test(`${e.code ?? ""} ${e.message ?? ""}`)) throw keyError("decrypt", true);
    throw keyError("unsupported", false);
  }
  switch (key.asymmetricKeyType) {
    case "rsa":
      return key.export({ type: "pkcs1", format: "pem" }) as string;
    case "ec":
      return key.export({ type: "sec1", format: "pem" }) as string;
    case "ed25519":
      return openSshEd25519(key);
    default:
      throw keyError("unsupported", false);
  }
}

/** An unencrypted `openssh-key-v1` text of an Ed25519 key (PROTOCOL.key of OpenSSH). */
function openSshEd25519(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" }) as { d?: string; x?: string };
  const seed = Buffer.from(jwk.d ?? "", "base64url");
  const pub = Buffer.from(jwk.x ?? "", "base64url");
  const str = (value: Buffer | string) => {
    const data = Buffer.from(value);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(data.length);
    return Buffer.concat([size, data]);
  };
  const one = Buffer.from([0, 0, 0, 1]);
  const check = randomBytes(4);
  const publicBlob = Buffer.concat([str("ssh-ed25519"), str(pub)]);
  const secret = [check, check, str("ssh-ed25519"), str(pub), str(Buffer.concat([seed, pub])), str("")];
  let size = secret.reduce((n, b) => n + b.length, 0);
  const padding: number[] = [];
  while (size % 8 !== 0) padding.push(++size - secret.reduce((n, b) => n + b.length, 0));
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    str("none"),
    str("none"),
    str(""),
    one,
    str(publicBlob),
    str(Buffer.concat([...secret, Buffer.from(padding)])),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function pktLine(text: string): Buffer {
  const data = Buffer.from(text, "utf8");
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, "0"), "latin1"), data]);
}
