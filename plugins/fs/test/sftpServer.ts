/**
 * Test support: a real SFTP server on loopback (ssh2's Server with an SFTP subsystem) serving a
 * temporary folder. Password and public-key logins; every path is confined to the folder.
 * `hostileNames` adds entries with such names to every directory listing, as a hostile server would;
 * `stallReadsFrom` leaves every read from that offset on unanswered, as a server that hangs mid-transfer;
 * `stallListings` leaves directory reads unanswered.
 */
import { timingSafeEqual } from "node:crypto";
import { promises as fsp, type Stats } from "node:fs";
import type { AddressInfo } from "node:net";
import { join, posix, sep } from "node:path";
import ssh2, { type Connection, type SFTPWrapper } from "ssh2";

const { Server, utils } = ssh2;
const { STATUS_CODE, flagsToString } = utils.sftp;

export interface SftpUser {
  password?: string;
  /** An OpenSSH public key line, or a private key (its public half is used). */
  publicKey?: string;
}

export interface TestSftpServer {
  port: number;
  root: string;
  close(): Promise<void>;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function longname(name: string, stats: Stats): string {
  const type = stats.isDirectory() ? "d" : stats.isSymbolicLink() ? "l" : "-";
  const bits = "rwxrwxrwx"
    .split("")
    .map((c, i) => (stats.mode & (1 << (8 - i)) ? c : "-"))
    .join("");
  const d = stats.mtime;
  const date = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${d.getUTCFullYear()}`;
  return `${type}${bits} 1 user group ${stats.size} ${date} ${name}`;
}

function attrsOf(stats: Stats) {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

function statusOf(error: unknown): number {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return STATUS_CODE.NO_SUCH_FILE;
  if (code === "EACCES" || code === "EPERM") return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

type Handle = { kind: "file"; fd: fsp.FileHandle } | { kind: "dir"; path: string; done: boolean };

interface Behaviour {
  /** The session's starting directory (relative paths are taken from it). */
  home: string;
  hostileNames: readonly string[];
  stallReadsFrom: number;
  stallListings: boolean;
}

function serveSftp(sftp: SFTPWrapper, root: string, behaviour: Behaviour): void {
  const { home, hostileNames, stallReadsFrom, stallListings } = behaviour;
  const handles = new Map<number, Handle>();
  // a client that goes away without closing its files (a stalled read given up, a killed task)
  // leaves them to the session's end, not to the collector
  sftp.on("close", () => {
    for (const h of handles.values()) if (h.kind === "file") void h.fd.close().catch(() => undefined);
    handles.clear();
  });
  let next = 0;
  const toVirtual = (path: string) => posix.normalize(path.startsWith("/") ? path : `${home}/${path}`);
  const toReal = (path: string) => {
    const real = join(root, toVirtual(path));
    if (real !== root && !real.startsWith(root + sep)) throw Object.assign(new Error("outside"), { code: "EACCES" });
    return real;
  };
  const newHandle = (h: Handle) => {
    const id = next++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id, 0);
    return buf;
  };
  const handleOf = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
  const reply = (reqid: number, work: () => Promise<void>) => {
    work().catch((error: unknown) => sftp.status(reqid, statusOf(error)));
  };

  sftp
    .on("OPEN", (reqid, filename, flags) =>
      reply(reqid, async () => {
        const fd = await fsp.open(toReal(filename), flagsToString(flags) ?? "r");
        sftp.handle(reqid, newHandle({ kind: "file", fd }));
      }),
    )
    .on("READ", (reqid, handle, offset, length) =>
      reply(reqid, async () => {
        const h = handleOf(handle);
        if (h?.kind !== "file") return void sftp.status(reqid, STATUS_CODE.FAILURE);
        if (offset >= stallReadsFrom) return;
        const buf = Buffer.alloc(length);
        const { bytesRead } = await h.fd.read(buf, 0, length, offset);
        if (bytesRead === 0) sftp.status(reqid, STATUS_CODE.EOF);
        else sftp.data(reqid, buf.subarray(0, bytesRead));
      }),
    )
    .on("WRITE", (reqid, handle, offset, data) =>
      reply(reqid, async () => {
        const h = handleOf(handle);
        if (h?.kind !== "file") return void sftp.status(reqid, STATUS_CODE.FAILURE);
        await h.fd.write(data, 0, data.length, offset);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on("FSTAT", (reqid, handle) =>
      reply(reqid, async () => {
        const h = handleOf(handle);
        if (h?.kind !== "file") return void sftp.status(reqid, STATUS_CODE.FAILURE);
        sftp.attrs(reqid, attrsOf(await h.fd.stat()));
      }),
    )
    .on("FSETSTAT", (reqid) => sftp.status(reqid, STATUS_CODE.OK))
    .on("SETSTAT", (reqid) => sftp.status(reqid, STATUS_CODE.OK))
    .on("CLOSE", (reqid, handle) =>
      reply(reqid, async () => {
        const h = handleOf(handle);
        if (!h) return void sftp.status(reqid, STATUS_CODE.FAILURE);
        handles.delete(handle.readUInt32BE(0));
        if (h.kind === "file") await h.fd.close();
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on("OPENDIR", (reqid, path) =>
      reply(reqid, async () => {
        const real = toReal(path);
        if (!(await fsp.stat(real)).isDirectory()) return void sftp.status(reqid, STATUS_CODE.FAILURE);
        sftp.handle(reqid, newHandle({ kind: "dir", path: real, done: false }));
      }),
    )
    .on("READDIR", (reqid, handle) =>
      reply(reqid, async () => {
        const h = handleOf(handle);
        if (h?.kind !== "dir") return void sftp.status(reqid, STATUS_CODE.FAILURE);
        if (stallListings) return;
        if (h.done) return void sftp.status(reqid, STATUS_CODE.EOF);
        h.done = true;
        const names = [];
        for (const name of await fsp.readdir(h.path)) {
          const stats = await fsp.lstat(join(h.path, name));
          names.push({ filename: name, longname: longname(name, stats), attrs: attrsOf(stats) });
        }
        const fake = await fsp.stat(root);
        for (const name of hostileNames)
          names.push({ filename: name, longname: longname(name, fake), attrs: attrsOf(fake) });
        if (names.length === 0) sftp.status(reqid, STATUS_CODE.EOF);
        else sftp.name(reqid, names);
      }),
    )
    .on("STAT", (reqid, path) => reply(reqid, async () => sftp.attrs(reqid, attrsOf(await fsp.stat(toReal(path))))))
    .on("LSTAT", (reqid, path) => reply(reqid, async () => sftp.attrs(reqid, attrsOf(await fsp.lstat(toReal(path))))))
    .on("REMOVE", (reqid, path) =>
      reply(reqid, async () => {
        await fsp.unlink(toReal(path));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on("RMDIR", (reqid, path) =>
      reply(reqid, async () => {
        await fsp.rmdir(toReal(path));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on("MKDIR", (reqid, path) =>
      reply(reqid, async () => {
        await fsp.mkdir(toReal(path));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on("RENAME", (reqid, from, to) =>
      reply(reqid, async () => {
        // SFTP v3 (as OpenSSH): renaming onto an existing path fails.
        const target = toReal(to);
        if (
          await fsp.lstat(target).then(
            () => true,
            () => false,
          )
        )
          return void sftp.status(reqid, STATUS_CODE.FAILURE);
        await fsp.rename(toReal(from), target);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    )
    .on("REALPATH", (reqid, path) =>
      reply(reqid, async () => {
        const virtual = toVirtual(path);
        sftp.name(reqid, [{ filename: virtual, longname: virtual, attrs: {} as never }]);
      }),
    );
}

/**
 * An ed25519 key pair in OpenSSH form that ssh2 reads back: about one pair in 256 that its
 * generateKeyPairSync writes has a public key starting with a zero byte, which it strips, and
 * then refuses the key (mscdex/ssh2 issues 1390 and 1513). Such a pair is made again.
 */
export function ed25519KeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error))
      return pair;
  }
}
export async function startSftpServer(options: {
  root: string;
  users: Record<string, SftpUser>;
  hostileNames?: readonly string[];
  stallReadsFrom?: number;
  stallListings?: boolean;
  home?: string;
}): Promise<TestSftpServer> {
  const behaviour: Behaviour = {
    home: options.home ?? "/",
    hostileNames: options.hostileNames ?? [],
    stallReadsFrom: options.stallReadsFrom ?? Number.POSITIVE_INFINITY,
    stallListings: options.stallListings ?? false,
  };
  const clients = new Set<Connection>();
  const hostKey = ed25519KeyPair().private;
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => {});
    client
      .on("authentication", (ctx) => {
        const user = options.users[ctx.username];
        if (!user) return ctx.reject();
        if (ctx.method === "password" && user.password !== undefined) {
          return same(ctx.password, user.password) ? ctx.accept() : ctx.reject();
        }
        if (ctx.method === "publickey" && user.publicKey) {
          const parsed = utils.parseKey(user.publicKey);
          const allowed = Array.isArray(parsed) ? parsed[0] : parsed;
          if (!allowed || allowed instanceof Error || !allowed.getPublicSSH().equals(ctx.key.data)) return ctx.reject();
          if (ctx.signature && ctx.blob && !allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.reject();
          return ctx.accept();
        }
        return ctx.reject(["password", "publickey"]);
      })
      .on("ready", () => {
        client.on("session", (accept) => {
          const session = accept();
          session.on("sftp", (acceptSftp) => serveSftp(acceptSftp(), options.root, behaviour));
        });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    root: options.root,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}
