/**
 * Test support: the machine's real OpenSSH server (Debian's openssh-server, /usr/sbin/sshd) run by
 * the tests as a foreground child on a free loopback port, with a configuration, host key and
 * authorized keys of its own in a temporary folder.
 *
 * The server runs in a private mount namespace (`unshare -m`, as root) where /etc/passwd and
 * /etc/shadow are replaced by copies from the folder: they add a user `saker` (a uid no account
 * of the machine has, home in the folder) and give it and root a test password. Nothing of the
 * machine changes: its accounts, its root password (locked or not) and its own sshd configuration
 * stay as they are, and the namespace ends with the server. The only trace outside the folder is
 * /run/sshd, the empty privilege separation folder sshd requires, created when missing (the
 * package's service creates it too).
 *
 * Sessions of `saker` get signals over SSH (OpenSSH delivers them to privilege-separated
 * sessions only, so not to root's).
 *
 * Needs root, /usr/sbin/sshd, ssh-keygen, openssl and `unshare -m`. Without them the tests are
 * skipped with a message; with CI=true they fail (.ci/run installs openssh-server).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onPath, requirementsMet, runProgram } from "@saker/engine/testing";

export const SSHD_BIN = "/usr/sbin/sshd";

export interface KeyPair {
  path: string;
  private: string;
  public: string;
}

export interface TestSshd {
  port: number;
  dir: string;
  /** The non-root user (in the server's namespace only), its uid and home. */
  user: string;
  uid: number;
  home: string;
  /** The password of `user` and of root, for this server. */
  password: string;
  /** Authorized for both users: without a passphrase, and one protected by `passphrase`. */
  key: KeyPair;
  encryptedKey: KeyPair;
  passphrase: string;
  /** A key no user authorizes. */
  otherKey: KeyPair;
  /** The server's host key as a known_hosts line (`[127.0.0.1]:port ssh-ed25519 AAAA…`). */
  knownHostsLine: string;
  /** The pids of the connections open now (the server's children). */
  connections(): number[];
  /** Waits until no connection is open; throws with how many are left after `timeoutMs`. */
  idle(timeoutMs?: number): Promise<void>;
  /** The pids of `user`'s processes. */
  userProcesses(): number[];
  /** What the server logged (its last lines). */
  log(): string;
  close(): Promise<void>;
}

function missingRequirements(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (to run sshd)");
  if (!existsSync(SSHD_BIN)) missing.push(`${SSHD_BIN} (Debian package openssh-server)`);
  for (const tool of ["ssh-keygen", "openssl", "unshare"]) if (!onPath(tool)) missing.push(tool);
  if (!missing.length && spawnSync("unshare", ["-m", "true"]).status !== 0)
    missing.push("permission to create a mount namespace (unshare -m)");
  return missing;
}

/** Whether the SSH tests can run: false (with the reason printed) locally, an error with CI=true. */
export function sshdAvailable(): boolean {
  return requirementsMet("the SSH Command tests", missingRequirements(), ".ci/run installs openssh-server");
}

function keyPair(dir: string, name: string, options: string[]): KeyPair {
  const path = join(dir, name);
  runProgram("ssh-keygen", ["-q", "-f", path, "-C", name, ...options]);
  return { path, private: readFileSync(path, "utf8"), public: readFileSync(`${path}.pub`, "utf8").trim() };
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

/** A uid no account of the machine has and no process runs as. */
function unusedUid(): number {
  const taken = new Set(
    readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .map((l) => Number(l.split(":")[2])),
  );
  for (let uid = 42_420; ; uid++) if (!taken.has(uid) && !processesOf(uid).length) return uid;
}

function procEntries(): string[] {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name));
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

function processesOf(uid: number): number[] {
  return procEntries()
    .filter((pid) => new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(readProc(pid, "status")))
    .map(Number);
}

function childrenOf(parent: number): number[] {
  return procEntries()
    .filter((pid) => {
      const stat = readProc(pid, "stat");
      // pid (comm) state ppid …: comm may hold spaces and parentheses
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent;
    })
    .map(Number);
}

function kill(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

const CONFIG = (dir: string) => `ListenAddress 127.0.0.1
HostKey ${dir}/ssh_host_ed25519_key
PidFile ${dir}/sshd.pid
AuthorizedKeysFile ${dir}/authorized_keys
PermitRootLogin yes
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
AcceptEnv LANG LC_* SAKER_*
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 50
LogLevel INFO
`;

/** Mounts the folder's passwd and shadow over the machine's, in this namespace only, and runs sshd. */
const NAMESPACE_SCRIPT = `set -e
mount --bind "$1/passwd" /etc/passwd
mount --bind "$1/shadow" /etc/shadow
mkdir -p /run/sshd
exec ${SSHD_BIN} -D -e -f "$1/sshd_config" -p "$2"`;

async function startProcess(dir: string, port: number, log: string[]): Promise<ChildProcess> {
  const child = spawn(
    "unshare",
    ["-m", "--propagation", "private", "sh", "-c", NAMESPACE_SCRIPT, "sh", dir, String(port)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let pending = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${log.join("\n")}`)), 10_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited (${code}) on start:\n${log.join("\n")}`));
    });
    // the server's log is read to its end (a full pipe would block it)
    child.stderr!.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        if (log.length > 200) log.shift();
        if (line.startsWith("Server listening on 127.0.0.1")) {
          clearTimeout(timer);
          child.removeAllListeners("exit");
          resolve();
        }
      }
    });
  });
  return child;
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), "saker-sshd-"));
  // the user reads the authorized keys and lives in home/: the folder must be open to it
  chmodSync(dir, 0o755);
  const uid = unusedUid();
  const home = join(dir, "home");
  mkdirSync(home);
  chownSync(home, uid, 65534);
  runProgram("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "ssh_host_ed25519_key")]);
  const passphrase = "pass-Phrase-7f3a";
  const key = keyPair(dir, "id_ed25519", ["-t", "ed25519", "-N", ""]);
  const encryptedKey = keyPair(dir, "id_rsa_encrypted", ["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", passphrase]);
  const otherKey = keyPair(dir, "id_other", ["-t", "ed25519", "-N", ""]);
  writeFileSync(join(dir, "authorized_keys"), `${key.public}\n${encryptedKey.public}\n`, { mode: 0o644 });
  const password = "Pw-for-sshd-tests-91c2";
  const hash = runProgram("openssl", ["passwd", "-6", password]).trim();
  writeFileSync(
    join(dir, "passwd"),
    `${readFileSync("/etc/passwd", "utf8").trimEnd()}\nsaker:x:${uid}:65534:Saker SSH tests:${home}:/bin/sh\n`,
  );
  writeFileSync(join(dir, "shadow"), `root:${hash}:20000:0:99999:7:::\nsaker:${hash}:20000:0:99999:7:::\n`, {
    mode: 0o600,
  });
  writeFileSync(join(dir, "sshd_config"), CONFIG(dir));
  const log: string[] = [];
  let port = 0;
  let child: ChildProcess | undefined;
  // the port is free when chosen; another process may take it before sshd binds it: try again
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    try {
      child = await startProcess(dir, port, log);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  const server = child;
  const hostKey = readFileSync(join(dir, "ssh_host_ed25519_key.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  const connections = () => (server.pid === undefined ? [] : childrenOf(server.pid));
  return {
    port,
    dir,
    user: "saker",
    uid,
    home,
    password,
    key,
    encryptedKey,
    passphrase,
    otherKey,
    knownHostsLine: `[127.0.0.1]:${port} ${hostKey}`,
    connections,
    async idle(timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (connections().length) {
        if (Date.now() > end) throw new Error(`${connections().length} SSH connection(s) still open`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    userProcesses: () => processesOf(uid),
    log: () => log.join("\n"),
    async close() {
      const leftover = [...connections(), ...processesOf(uid)];
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        kill([server.pid!], "SIGTERM");
        await exited;
      }
      kill(leftover, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
