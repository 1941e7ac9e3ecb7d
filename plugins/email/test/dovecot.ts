/**
 * Test support: the machine's real Dovecot (Debian's dovecot-imapd and dovecot-pop3d,
 * /usr/sbin/dovecot) run by the tests as a foreground child (`dovecot -F -c <conf>`) with a
 * configuration of its own in a temporary folder: its base and state folders, its log, Maildir
 * mailboxes and a passwd-file of test users all live there, and it listens on four free loopback
 * ports: IMAP and POP3 in clear text, IMAPS and POP3S with a self-signed certificate made by the
 * `openssl` CLI. The system's Dovecot service and its /etc/dovecot are not used.
 *
 * Dovecot runs as root here; its login processes run as `dovenull`, its internal ones as
 * `dovecot`, and the mail processes as `nobody`, who owns the Maildir folders.
 *
 * Mail is delivered the way a local delivery agent does it: a file written into the Maildir's
 * `tmp/`, then renamed into `new/`, with its modification time as the received date (Dovecot's
 * INTERNALDATE for Maildir).
 *
 * Needs root, /usr/sbin/dovecot with its imap and pop3 services, and openssl. Without them the
 * tests are skipped with a message; with CI=true they fail.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { onPath, requirementsMet, runProgram } from "@saker/engine/testing";

export const DOVECOT_BIN = "/usr/sbin/dovecot";
const SERVICES = ["/usr/lib/dovecot/imap", "/usr/lib/dovecot/pop3"];
/** The accounts Dovecot's processes run as (Debian's dovecot-core creates the first two). */
const LOGIN_USER = "dovenull";
const INTERNAL_USER = "dovecot";
const MAIL_USER = "nobody";

export interface TestDovecot {
  host: "127.0.0.1";
  ports: { imap: number; imaps: number; pop3: number; pop3s: number };
  /** Every user's password. */
  password: string;
  dir: string;
  /** Puts `raw` in the user's folder (INBOX by default) as received at `receivedAt` (default now). */
  deliver(user: string, raw: string | Buffer, options?: { folder?: string; receivedAt?: Date }): void;
  /** Creates an IMAP folder of the user. */
  createFolder(user: string, folder: string): void;
  /** The IMAP and POP3 sessions open now (Dovecot's imap and pop3 processes), all or `user`'s. */
  sessions(user?: string): number[];
  /** `user`'s sessions waiting in IDLE. */
  idling(user: string): number[];
  /** Waits until no session (of `user`) is open; throws with how many are left after `timeoutMs`. */
  idle(user?: string, timeoutMs?: number): Promise<void>;
  /** What Dovecot logged. */
  log(): string;
  close(): Promise<void>;
}

function uidOf(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

function missingRequirements(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (to run dovecot)");
  if (!existsSync(DOVECOT_BIN)) missing.push(`${DOVECOT_BIN} (Debian package dovecot-core)`);
  for (const service of SERVICES)
    if (!existsSync(service)) missing.push(`${service} (Debian packages dovecot-imapd, dovecot-pop3d)`);
  for (const user of [LOGIN_USER, INTERNAL_USER, MAIL_USER]) if (!uidOf(user)) missing.push(`the account '${user}'`);
  if (!onPath("openssl")) missing.push("openssl");
  return missing;
}

/** Whether the mailbox tests can run: false (with the reason printed) locally, an error with CI=true. */
export function dovecotAvailable(): boolean {
  return requirementsMet("the mail trigger tests", missingRequirements(), "install dovecot-imapd and dovecot-pop3d");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const CONFIG = (dir: string, ports: TestDovecot["ports"], mail: { uid: number; gid: number }) => `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
${existsSync("/usr/share/dovecot/dh.pem") ? "ssl_dh = </usr/share/dovecot/dh.pem" : ""}
# Dovecot 2.3's name for auth_allow_cleartext: logins on the clear-text ports
disable_plaintext_auth = no
auth_mechanisms = plain login
# a refused login answers at once, and does not slow the next logins down: no auth penalty
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
default_internal_user = ${INTERNAL_USER}
default_internal_group = ${INTERNAL_USER}
default_login_user = ${LOGIN_USER}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
# the user shows in each session's process title (see sessions())
verbose_proctitle = yes
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
  default_fields = uid=${mail.uid} gid=${mail.gid}
}
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
`;

async function startProcess(dir: string, ports: TestDovecot["ports"]): Promise<ChildProcess> {
  const child = spawn(DOVECOT_BIN, ["-F", "-c", join(dir, "dovecot.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
  const exited = new Promise<never>((_resolve, reject) =>
    child.once("exit", (code) => {
      const log = existsSync(join(dir, "dovecot.log")) ? readFileSync(join(dir, "dovecot.log"), "utf8") : "";
      reject(new Error(`dovecot exited (${code}) on start:\n${stderr}\n${log}`));
    }),
  );
  const listening = (async () => {
    const end = Date.now() + 10_000;
    for (const port of Object.values(ports)) {
      while (!(await portOpen(port))) {
        if (Date.now() > end) throw new Error(`dovecot did not listen on ${port} within 10 s:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  })();
  try {
    await Promise.race([listening, exited]);
  } catch (error) {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw error;
  }
  child.removeAllListeners("exit");
  return child;
}

function childrenOf(parent: number): { pid: number; comm: string; title: string }[] {
  const found: { pid: number; comm: string; title: string }[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      // `dovecot/imap [user 127.0.0.1 IDLE]` with verbose_proctitle
      const title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      found.push({ pid: Number(pid), comm, title });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

let delivered = 0;

export async function startDovecot(users: readonly string[]): Promise<TestDovecot> {
  const dir = mkdtempSync(join(tmpdir(), "saker-dovecot-"));
  // the mail processes (nobody) reach their Maildir under it
  chmodSync(dir, 0o755);
  const mail = uidOf(MAIL_USER)!;
  for (const sub of ["run", "state", "mail"]) mkdirSync(join(dir, sub));
  runProgram("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=mail.saker.test"],
    ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
  ]);
  const password = "Mailbox-pw-7c1e-Dovecot";
  const hash = runProgram("openssl", ["passwd", "-6", password]).trim();
  const home = (user: string) => join(dir, "mail", user);
  writeFileSync(join(dir, "users"), users.map((user) => `${user}:{SHA512-CRYPT}${hash}::::${home(user)}::\n`).join(""));
  const maildir = (user: string, folder = "INBOX") =>
    join(home(user), "Maildir", folder === "INBOX" ? "" : `.${folder}`);
  const makeMaildir = (path: string) => {
    for (const sub of ["", "cur", "new", "tmp"]) {
      mkdirSync(join(path, sub), { recursive: true });
      chownSync(join(path, sub), mail.uid, mail.gid);
    }
  };
  for (const user of users) {
    mkdirSync(home(user), { recursive: true });
    chownSync(home(user), mail.uid, mail.gid);
    makeMaildir(maildir(user));
  }
  let ports = { imap: 0, imaps: 0, pop3: 0, pop3s: 0 };
  let child: ChildProcess | undefined;
  // the ports are free when chosen; another process may take one before dovecot binds it: try again
  for (let attempt = 1; !child; attempt++) {
    ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort(), pop3s: await freePort() };
    writeFileSync(join(dir, "dovecot.conf"), CONFIG(dir, ports, mail));
    try {
      child = await startProcess(dir, ports);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  const server = child;
  const sessionsOf = (user?: string) =>
    server.pid === undefined
      ? []
      : childrenOf(server.pid).filter(
          (c) => (c.comm === "imap" || c.comm === "pop3") && (!user || c.title.includes(`[${user} `)),
        );
  const sessions = (user?: string) => sessionsOf(user).map((c) => c.pid);
  return {
    host: "127.0.0.1",
    ports,
    password,
    dir,
    deliver(user, raw, options = {}) {
      const folder = maildir(user, options.folder);
      const name = `${Math.floor(Date.now() / 1000)}.M${++delivered}P${process.pid}.saker`;
      const tmp = join(folder, "tmp", name);
      writeFileSync(tmp, raw);
      chownSync(tmp, mail.uid, mail.gid);
      const at = options.receivedAt ?? new Date();
      utimesSync(tmp, at, at);
      renameSync(tmp, join(folder, "new", name));
    },
    createFolder(user, folder) {
      makeMaildir(maildir(user, folder));
    },
    sessions,
    idling: (user) =>
      sessionsOf(user)
        .filter((c) => c.title.includes(" IDLE]"))
        .map((c) => c.pid),
    async idle(user, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (sessions(user).length) {
        if (Date.now() > end) throw new Error(`${sessions(user).length} IMAP/POP3 session(s) still open`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    log: () => (existsSync(join(dir, "dovecot.log")) ? readFileSync(join(dir, "dovecot.log"), "utf8") : ""),
    async close() {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        server.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Dovecot for `users`, started before the suite's tests and stopped after them (register it
 * before the suite's other hooks: what they open then closes first). Read through before it has
 * started, it throws.
 */
export function useDovecot(users: readonly string[]): TestDovecot {
  let started: TestDovecot | undefined;
  beforeAll(async () => {
    started = await startDovecot(users);
  }, 30_000);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as TestDovecot, {
    get(_, key) {
      if (!started) throw new Error("Dovecot is read before the suite started it");
      const value: unknown = Reflect.get(started, key);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}
