/**
 * FTP active mode for basic-ftp, which only opens passive data connections itself. Its
 * `prepareTransfer` hook must leave `ftp.dataSocket` set before the transfer command is sent, but
 * in active mode the server connects to us only after (or, for some servers, right after PORT).
 * So the hook listens on an ephemeral port of the control connection's local address, announces
 * it with PORT (EPRT for IPv6), and hands basic-ftp an {@link ActiveDataSocket}: a stream that
 * buffers until the server's connection arrives and then relays it (wrapped in TLS for FTPS: the
 * client is the TLS client whichever side connects).
 *
 * @module
 */
import { createServer, isIPv4, type AddressInfo, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { connect as tlsConnect, TLSSocket } from "node:tls";
import { FTPError, type FTPContext } from "basic-ftp";

export interface ActiveModeOptions {
  /** Accept the data connection only from the control connection's remote address. */
  remoteIpVerification: boolean;
  /** Milliseconds to wait for the server's data connection. */
  acceptTimeout: number;
}

/** The data connection of one active-mode transfer, as basic-ftp expects a socket to behave. */
export class ActiveDataSocket extends Duplex {
  private socket: Socket | undefined;
  private ready = false;
  private readonly pending: { chunk: Buffer; callback: (error?: Error | null) => void }[] = [];
  private pendingFinal: ((error?: Error | null) => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    private readonly server: Server,
    ftp: FTPContext,
    options: ActiveModeOptions,
  ) {
    super();
    const expected = normalize(ftp.socket.remoteAddress);
    this.timer = setTimeout(
      () =>
        this.destroy(
          new Error(
            `Timeout: the server did not open the active-mode data connection within ${options.acceptTimeout} ms (is a firewall between it and this host?)`,
          ),
        ),
      options.acceptTimeout,
    );
    server.on("connection", (raw: Socket) => {
      if (this.socket || (options.remoteIpVerification && normalize(raw.remoteAddress) !== expected)) {
        raw.destroy();
        return;
      }
      clearTimeout(this.timer);
      server.close();
      this.attach(ftp.socket instanceof TLSSocket ? secure(raw, ftp) : raw, ftp.socket instanceof TLSSocket);
    });
    server.on("error", (error) => this.destroy(error));
  }

  get remoteAddress(): string | undefined {
    return this.socket?.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket?.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.socket?.remoteFamily;
  }

  /** basic-ftp sets timeouts on its data socket; the accept timer and its transfer watchdog do that job here. */
  setTimeout(): this {
    return this;
  }

  private attach(socket: Socket, tls: boolean): void {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.bytesRead += chunk.length;
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => {
      if (!this.readableEnded && !this.destroyed) this.push(null);
    });
    const start = () => {
      this.ready = true;
      for (const { chunk, callback } of this.pending.splice(0)) this.send(chunk, callback);
      if (this.pendingFinal) this.finish(this.pendingFinal);
    };
    if (tls) socket.once("secureConnect", start);
    else start();
  }

  private send(chunk: Buffer, callback: (error?: Error | null) => void): void {
    this.bytesWritten += chunk.length;
    this.socket!.write(chunk, callback);
  }

  private finish(callback: (error?: Error | null) => void): void {
    this.socket!.end(() => callback());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.ready) this.send(chunk, callback);
    else this.pending.push({ chunk, callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.ready) this.finish(callback);
    else this.pendingFinal = callback;
  }

  override _read(): void {
    this.socket?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    this.server.close();
    this.socket?.destroy();
    callback(error);
  }
}

function normalize(address: string | undefined): string | undefined {
  return address?.replace(/^::ffff:/i, "");
}

/** The client side of TLS on the accepted connection, resuming the control connection's session. */
function secure(raw: Socket, ftp: FTPContext): TLSSocket {
  const control = ftp.socket as TLSSocket;
  const socket = tlsConnect({ ...ftp.tlsOptions, socket: raw, session: ftp.tlsSessionStore ?? control.getSession() });
  socket.on("session", (session: Buffer) => {
    ftp.tlsSessionStore = session;
  });
  return socket;
}

/** The PORT or EPRT command announcing `address:port`. */
export function portCommand(address: string, port: number): string {
  const v4 = normalize(address)!;
  if (isIPv4(v4)) return `PORT ${v4.replace(/\./g, ",")},${port >> 8},${port & 255}`;
  return `EPRT |2|${address}|${port}|`;
}

/** A basic-ftp `prepareTransfer` strategy for active mode. */
export function activeTransfer(options: ActiveModeOptions) {
  return async (ftp: FTPContext) => {
    const local = ftp.socket.localAddress;
    if (!local) throw new Error("Control socket is disconnected, can't get local address.");
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, local, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    // Set before PORT: a server may connect as soon as it accepts the command.
    const data = new ActiveDataSocket(server, ftp, options);
    // basic-ftp types its data socket as a net.Socket; it uses only the stream and the members above.
    ftp.dataSocket = data as unknown as Socket;
    const command = portCommand(local, port);
    try {
      return await ftp.request(command);
    } catch (error) {
      ftp.dataSocket = undefined;
      if (!(error instanceof FTPError)) throw error;
      throw new Error(
        `the server refused active mode (${command.split(" ")[0]}: ${error.message}); set passiveMode to true`,
        {
          cause: error,
        },
      );
    }
  };
}
