/**
 * Test support: a real git server over SSH on loopback. ssh2's Server accepts the public keys it
 * is given (and a password, when set) for any login, and runs each exec request,
 * `git-upload-pack '<path>'` or `git-receive-pack '<path>'`, with the machine's git on a bare
 * repository of `repos` (`/app.git` → `<repos>/app.git`), its stdin, stdout, stderr and exit code
 * piped through the channel, as sshd does for git. A repository named `hang.git` accepts the
 * command and never answers: a server that hangs; for `noexec.git` the exec request itself gets no
 * answer (neither accepted nor refused). A repository whose name starts with `slow` takes in what a
 * client sends at about 4 MB/s (a slow upload), so that a push of a large pack takes seconds before
 * git-receive-pack answers.
 */
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import ssh2, { type Connection, type ParsedKey } from "ssh2";

const { Server, utils } = ssh2;

export interface TestSshServer {
  port: number;
  /** `ssh://git@127.0.0.1:<port>/<name>.git` */
  url(name: string): string;
  /** The commands the clients ran, in order. */
  execs: string[];
  /** `<user>:<method>` of each accepted login. */
  logins: string[];
  /** How many client connections are open now. */
  readonly connections: number;
  /** Waits until every client connection is closed; fails after `timeout` ms with how many are still open. */
  idle(timeout?: number): Promise<void>;
  close(): Promise<void>;
}

/** An ed25519 key pair that ssh2 reads back (see the fs plugin's test server: one in 256 it writes is not). */
export function ed25519KeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error))
      return pair;
  }
}

/** The public half of a private key (with its passphrase), as the server compares keys. */
function publicOf(key: { private: string; passphrase?: string }): ParsedKey {
  const parsed = utils.parseKey(key.private, key.passphrase);
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!first || first instanceof Error) throw new Error(`test key not readable: ${String(first)}`);
  return first;
}

export async function startSshGitServer(options: {
  repos: string;
  keys: Array<{ private: string; passphrase?: string }>;
  password?: string;
}): Promise<TestSshServer> {
  const allowed = options.keys.map(publicOf);
  const clients = new Set<Connection>();
  const execs: string[] = [];
  const logins: string[] = [];
  const hostKey = ed25519KeyPair().private;
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => {});
    let user = "";
    client
      .on("authentication", (ctx) => {
        user = ctx.username;
        if (ctx.method === "password" && options.password !== undefined) {
          if (ctx.password !== options.password) return ctx.reject();
          logins.push(`${ctx.username}:password`);
          return ctx.accept();
        }
        if (ctx.method === "publickey") {
          const key = allowed.find((k) => k.getPublicSSH().equals(ctx.key.data));
          if (!key) return ctx.reject();
          if (!ctx.signature) return ctx.accept(); // the client asks whether the key would do
          if (!ctx.blob || !key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.reject();
          logins.push(`${ctx.username}:publickey`);
          return ctx.accept();
        }
        return ctx.reject(options.password !== undefined ? ["publickey", "password"] : ["publickey"]);
      })
      .on("ready", () => {
        client.on("session", (acceptSession) => {
          const session = acceptSession();
          session.on("exec", (accept, reject, info) => {
            execs.push(info.command);
            const m = /^(git-upload-pack|git-receive-pack) '(.*)'$/s.exec(info.command);
            if (!m) return reject();
            const path = m[2]!.replace(/'\\(.)'/g, "$1");
            if (path.endsWith("noexec.git")) return; // neither accept() nor reject(): no answer
            const channel = accept();
            if (path.endsWith("hang.git")) return;
            const full = resolve(options.repos, path.replace(/^\/+/, ""));
            const inside = full.startsWith(options.repos + sep);
            const child = spawn("git", [m[1]!.slice("git-".length), inside ? full : "/nonexistent"], {
              env: { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1", USER: user },
            });
            // a slow link: the channel takes in data as fast as this reads it (SSH window), here 32 KiB each 8 ms
            if (basename(path).startsWith("slow")) channel.pipe(throttle()).pipe(child.stdin);
            else channel.pipe(child.stdin);
            child.stdin.on("error", () => {}); // the client went away
            child.stdout.on("data", (chunk: Buffer) => channel.write(chunk));
            child.stderr.on("data", (chunk: Buffer) => channel.stderr.write(chunk));
            child.on("close", (code) => {
              channel.exit(code ?? 1);
              channel.end();
            });
            channel.on("close", () => child.kill());
          });
        });
      });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (name) => `ssh://git@127.0.0.1:${port}/${name}.git`,
    execs,
    logins,
    get connections() {
      return clients.size;
    },
    idle: async (timeout = 5000) => {
      const until = Date.now() + timeout;
      while (clients.size > 0 && Date.now() < until) await new Promise((done) => setTimeout(done, 20));
      if (clients.size > 0) throw new Error(`${clients.size} SSH connection(s) still open after ${timeout} ms`);
    },
    close: () =>
      new Promise<void>((done) => {
        for (const c of clients) c.end();
        server.close(() => done());
      }),
  };
}

/** Passes data on by 32 KiB slices, one each 8 ms (about 4 MB/s), with backpressure towards the channel. */
function throttle(): Transform {
  return new Transform({
    highWaterMark: 32 * 1024,
    transform(chunk: Buffer, _encoding, callback) {
      const slices: Buffer[] = [];
      for (let at = 0; at < chunk.length; at += 32 * 1024) slices.push(chunk.subarray(at, at + 32 * 1024));
      const next = () => {
        const slice = slices.shift();
        if (!slice) return callback();
        this.push(slice);
        setTimeout(next, 8);
      };
      next();
    },
  });
}
