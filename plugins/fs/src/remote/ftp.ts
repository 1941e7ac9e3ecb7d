/**
 * {@link RemoteFs} over FTP and FTPS (explicit or implicit TLS), through basic-ftp. Passive mode,
 * or active mode through ./ftpActive.ts; a data connection from another address than the control
 * one is refused unless `remoteIpVerification` is off.
 *
 * @module
 */
import { isIP } from "node:net";
import { posix } from "node:path";
import { PassThrough, type Readable, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { Client, FTPError, FileType, type FileInfo } from "basic-ftp";
import { activeTransfer } from "./ftpActive.ts";
import { RemoteError, type RemoteEntry, type RemoteFs } from "./remoteFs.ts";

export interface FtpSettings {
  /** The host as the flow names it (in messages, and the name TLS checks). */
  host: string;
  /** The address to connect to (the host, resolved and checked). */
  address: string;
  port: number;
  username?: string;
  password?: string;
  /** `false` for plain FTP; explicit (AUTH TLS) or implicit TLS for FTPS. */
  secure: false | "explicit" | "implicit";
  /** FTPS: check the server's certificate. */
  rejectUnauthorized: boolean;
  remoteIpVerification: boolean;
  /** `false`: active mode, the server connects to a port this host listens on. */
  passiveMode: boolean;
  /** Milliseconds to connect and log in. */
  connectTimeout: number;
  /** Milliseconds a socket may stay silent once connected. */
  socketTimeout: number;
  /** Milliseconds to wait for the server's data connection in active mode. */
  dataTimeout: number;
}

function classify(error: unknown, what: string): RemoteError {
  if (error instanceof RemoteError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (error instanceof FTPError) {
    if (error.code === 530) return new RemoteError("AUTH", `${what}: the server refused the login (${message})`);
    // 550 is "no such file" on most servers; some answer a missing path with 450 or 451 instead.
    if (error.code === 550 || error.code === 450 || (error.code === 451 && /ENOENT|no such file/i.test(message)))
      return new RemoteError("NOT_FOUND", `${what}: ${message}`);
    return new RemoteError("FAILED", `${what}: ${message}`);
  }
  if (/timeout/i.test(message)) return new RemoteError("TIMEOUT", `${what}: ${message}`, { cause: error });
  if (
    typeof e?.code === "string" &&
    ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"].includes(e.code)
  )
    return new RemoteError("UNREACHABLE", `${what}: ${message}`, { cause: error });
  return new RemoteError("FAILED", `${what}: ${message}`, { cause: error });
}

export async function openFtp(settings: FtpSettings): Promise<RemoteFs> {
  const client = new Client(settings.socketTimeout, {
    allowSeparateTransferHost: !settings.remoteIpVerification,
  });
  const target = `${settings.secure ? "ftps" : "ftp"}://${settings.host}:${settings.port}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        client.close();
        reject(
          new RemoteError("TIMEOUT", `Unable to connect to ${target}: timed out after ${settings.connectTimeout} ms`),
        );
      }, settings.connectTimeout);
    });
    await Promise.race([
      client.access({
        host: settings.address,
        port: settings.port,
        ...(settings.username !== undefined ? { user: settings.username } : {}),
        ...(settings.password !== undefined ? { password: settings.password } : {}),
        secure: settings.secure === "implicit" ? "implicit" : settings.secure === "explicit",
        // The certificate is checked against the host as written (SNI takes names only, not addresses).
        secureOptions: {
          rejectUnauthorized: settings.rejectUnauthorized,
          host: settings.host,
          ...(isIP(settings.host) ? {} : { servername: settings.host }),
        },
      }),
      timedOut,
    ]);
  } catch (error) {
    client.close();
    throw classify(error, `Unable to connect to ${target}`);
  } finally {
    clearTimeout(timer);
  }
  if (!settings.passiveMode)
    client.prepareTransfer = activeTransfer({
      remoteIpVerification: settings.remoteIpVerification,
      acceptTimeout: settings.dataTimeout,
    });
  return new FtpFs(client);
}

function entryOf(dir: string, info: FileInfo): RemoteEntry {
  return {
    path: posix.join(dir, info.name),
    name: info.name,
    type: info.type === FileType.Directory ? "FOLDER" : info.type === FileType.File ? "FILE" : "OTHER",
    symbolicLink: info.type === FileType.SymbolicLink,
    size: info.size,
    ...(info.modifiedAt ? { updatedDate: info.modifiedAt } : {}),
    ...(info.permissions
      ? { permissions: (info.permissions.user << 6) | (info.permissions.group << 3) | info.permissions.world }
      : {}),
  };
}

class FtpFs implements RemoteFs {
  private readonly client: Client;
  constructor(client: Client) {
    this.client = client;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classify(error, what);
    }
  }

  home(): Promise<string> {
    return this.call("Unable to read the home directory", () => this.client.pwd());
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    if (path === "/") return { path, name: "", type: "FOLDER", symbolicLink: false };
    // FTP has no portable stat: the entry is read from its parent's listing.
    const parent = posix.dirname(path);
    const name = posix.basename(path);
    let entries: RemoteEntry[];
    try {
      entries = await this.list(parent);
    } catch (error) {
      if (error instanceof RemoteError && error.kind === "NOT_FOUND") return undefined;
      throw error;
    }
    return entries.find((e) => e.name === name);
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const infos = await this.call(`Unable to list '${dir}'`, () => this.client.list(dir));
    return infos
      .filter((info) => info.name !== "." && info.name !== ".." && !info.name.includes("/"))
      .map((info) => entryOf(dir, info));
  }

  async read(path: string, into: Writable): Promise<void> {
    // basic-ftp ends the stream it writes to even on failure: a relay keeps `into` open until the
    // outcome is known, so a broken transfer never looks like a complete file.
    const relay = new PassThrough();
    relay.pipe(into, { end: false });
    try {
      await this.call(`Unable to download '${path}'`, () => this.client.downloadTo(relay, path));
    } catch (error) {
      relay.unpipe(into);
      throw error;
    }
    await finished(relay);
    into.end();
  }

  async write(from: Readable, path: string): Promise<void> {
    await this.call(`Unable to upload to '${path}'`, () => this.client.uploadFrom(from, path));
  }

  async remove(path: string): Promise<void> {
    await this.call(`Unable to delete '${path}'`, () => this.client.remove(path));
  }

  async removeDir(path: string): Promise<void> {
    await this.call(`Unable to delete the directory '${path}'`, () => this.client.removeEmptyDir(path));
  }

  async rename(from: string, to: string): Promise<void> {
    await this.call(`Unable to move '${from}' to '${to}'`, () => this.client.rename(from, to));
  }

  async mkdirs(path: string): Promise<void> {
    const parts = path.split("/").filter(Boolean);
    let current = path.startsWith("/") ? "" : ".";
    for (const part of parts) {
      current = `${current}/${part}`;
      const existing = await this.stat(current);
      if (existing?.type === "FOLDER") continue;
      const dir = current;
      await this.call(`Unable to create the directory '${dir}'`, () => this.client.send(`MKD ${dir}`));
    }
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}
