/**
 * {@link RemoteFs} over SFTP, through ssh2-sftp-client (ssh2 underneath).
 *
 * @module
 */
import { posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import SftpClient from "ssh2-sftp-client";
import { RemoteError, type RemoteEntry, type RemoteFs } from "./remoteFs.ts";

export interface SftpSettings {
  /** The host as the flow names it (in messages). */
  host: string;
  /** The address to connect to (the host, resolved and checked). */
  address: string;
  port: number;
  username?: string;
  password?: string;
  /** A private key (PEM or OpenSSH). */
  privateKey?: string;
  passphrase?: string;
  /** Milliseconds for the connection, the handshake and the login together. */
  connectTimeout: number;
  keyExchangeAlgorithm?: string;
  /** Accept servers whose host key is signed with SHA-1 RSA (`ssh-rsa`). */
  enableSshRsa1: boolean;
}

type Stats = Awaited<ReturnType<SftpClient["stat"]>>;
type Listed = Awaited<ReturnType<SftpClient["list"]>>[number];

function entryOf(path: string, stats: Stats, symbolicLink: boolean): RemoteEntry {
  return {
    path,
    name: posix.basename(path),
    type: stats.isDirectory ? "FOLDER" : stats.isFile ? "FILE" : "OTHER",
    symbolicLink,
    size: stats.size,
    updatedDate: new Date(stats.modifyTime),
    accessDate: new Date(stats.accessTime),
    userId: stats.uid,
    groupId: stats.gid,
    permissions: stats.mode & 0o7777,
  };
}

/** Codes ssh2 and ssh2-sftp-client put on errors, read into a kind. */
function classify(error: unknown, what: string): RemoteError {
  if (error instanceof RemoteError) return error;
  const e = error as { code?: unknown; message?: unknown; level?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  const code = e?.code;
  if (code === "ENOENT" || code === 2 || /no such file/i.test(message))
    return new RemoteError("NOT_FOUND", `${what}: no such file`, { cause: error });
  if (code === "ERR_BAD_AUTH" || e?.level === "client-authentication" || /authentication/i.test(message))
    return new RemoteError("AUTH", `${what}: the server refused the login (${message})`, { cause: error });
  if (/timed out/i.test(message)) return new RemoteError("TIMEOUT", `${what}: ${message}`, { cause: error });
  if (
    typeof code === "string" &&
    ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"].includes(code)
  )
    return new RemoteError("UNREACHABLE", `${what}: ${message}`, { cause: error });
  return new RemoteError("FAILED", `${what}: ${message}`, { cause: error });
}

export async function openSftp(settings: SftpSettings): Promise<RemoteFs> {
  // The library logs connection events to the console unless given handlers: failures reach the
  // pending call instead.
  const quiet = () => {};
  const client = new SftpClient("saker", { error: quiet, end: quiet, close: quiet });
  const target = `sftp://${settings.host}:${settings.port}`;
  const serverHostKey = settings.enableSshRsa1 ? undefined : { remove: ["ssh-rsa"] };
  try {
    await client.connect({
      host: settings.address,
      port: settings.port,
      readyTimeout: settings.connectTimeout,
      // A server that stops answering is dropped after three unanswered keepalives.
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      ...(settings.username !== undefined ? { username: settings.username } : {}),
      ...(settings.privateKey !== undefined
        ? {
            privateKey: settings.privateKey,
            ...(settings.passphrase !== undefined ? { passphrase: settings.passphrase } : {}),
          }
        : settings.password !== undefined
          ? { password: settings.password }
          : {}),
      algorithms: {
        ...(serverHostKey ? { serverHostKey } : {}),
        ...(settings.keyExchangeAlgorithm ? { kex: [settings.keyExchangeAlgorithm] } : {}),
      } as never,
    });
  } catch (error) {
    destroy(client);
    throw classify(error, `Unable to connect to ${target}`);
  }
  return new SftpFs(client);
}

/** Closes the socket at once (ending politely can wait on a server that no longer answers). */
function destroy(client: SftpClient): void {
  (client as unknown as { client?: { destroy(): void } }).client?.destroy();
}

class SftpFs implements RemoteFs {
  private readonly client: SftpClient;
  constructor(client: SftpClient) {
    this.client = client;
  }

  async home(): Promise<string> {
    try {
      return (await this.client.realPath(".")) || "/";
    } catch (error) {
      throw classify(error, "Unable to read the home directory");
    }
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    let stats: Stats;
    try {
      stats = await this.client.stat(path);
    } catch (error) {
      const classified = classify(error, `Unable to read '${path}'`);
      if (classified.kind === "NOT_FOUND") return undefined;
      throw classified;
    }
    return entryOf(path, stats, false);
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    let listed: Listed[];
    try {
      listed = await this.client.list(dir);
    } catch (error) {
      throw classify(error, `Unable to list '${dir}'`);
    }
    const entries: RemoteEntry[] = [];
    for (const item of listed) {
      if (item.name === "." || item.name === ".." || item.name.includes("/")) continue;
      const path = posix.join(dir, item.name);
      if (item.type === "l") {
        // A link is what it points to (Kestra follows links); a dangling one is left out.
        const target = await this.stat(path).catch(() => undefined);
        if (target) entries.push({ ...target, symbolicLink: true });
        continue;
      }
      entries.push({
        path,
        name: item.name,
        type: item.type === "d" ? "FOLDER" : item.type === "-" ? "FILE" : "OTHER",
        symbolicLink: false,
        size: item.size,
        updatedDate: new Date(item.modifyTime),
        accessDate: new Date(item.accessTime),
        ...(typeof item.owner === "number" ? { userId: item.owner } : {}),
        ...(typeof item.group === "number" ? { groupId: item.group } : {}),
      });
    }
    return entries;
  }

  async read(path: string, into: Writable): Promise<void> {
    try {
      await this.client.get(path, into);
    } catch (error) {
      throw classify(error, `Unable to download '${path}'`);
    }
  }

  async write(from: Readable, path: string): Promise<void> {
    try {
      await this.client.put(from, path);
    } catch (error) {
      throw classify(error, `Unable to upload to '${path}'`);
    }
  }

  async remove(path: string): Promise<void> {
    try {
      await this.client.delete(path);
    } catch (error) {
      throw classify(error, `Unable to delete '${path}'`);
    }
  }

  async removeDir(path: string): Promise<void> {
    try {
      await this.client.rmdir(path, false);
    } catch (error) {
      throw classify(error, `Unable to delete the directory '${path}'`);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await this.client.rename(from, to);
    } catch (error) {
      throw classify(error, `Unable to move '${from}' to '${to}'`);
    }
  }

  async mkdirs(path: string): Promise<void> {
    try {
      await this.client.mkdir(path, true);
    } catch (error) {
      throw classify(error, `Unable to create the directory '${path}'`);
    }
  }

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.end().catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
    ]);
    clearTimeout(timer);
    destroy(this.client);
  }
}
