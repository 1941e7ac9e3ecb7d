/**
 * `proxyCommand`: a local command whose stdin and stdout carry the SSH connection (OpenSSH's
 * `ProxyCommand`), run with `/bin/sh -c` in a process group of its own so that closing the
 * connection ends it and whatever it started.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { Duplex } from "node:stream";
import { NonRetryableError } from "@saker/sdk";

/** What `%h` and `%r` may hold: nothing a shell would read as more than a word (as Kestra checks). */
const SAFE_WORD = /^[A-Za-z0-9._@-]+$/;

export interface ProxyProcess {
  /** The connection's stream, for ssh2's `sock`. */
  sock: Duplex;
  /** The end of what the command wrote on stderr, for an error message. */
  stderrTail(): string;
  /** How it ended (`exited with code 1`, `ended by signal SIGTERM`), waiting up to `ms` for it; undefined while it runs. */
  exitStatus(ms: number): Promise<string | undefined>;
  /** Ends the command and its process group (TERM, then KILL a second later). */
  close(): void;
}

/** The command with `%h` (host), `%p` (port), `%r` (user) and `%%` replaced. */
export function proxyCommandLine(template: string, host: string, port: number, user: string): string {
  if (!SAFE_WORD.test(host))
    throw new NonRetryableError(
      `host '${host}' cannot be given to proxyCommand: only letters, digits, '.', '_', '@' and '-' are allowed`,
    );
  if (user && !SAFE_WORD.test(user))
    throw new NonRetryableError(
      "username cannot be given to proxyCommand: only letters, digits, '.', '_', '@' and '-' are allowed",
    );
  return template.replace(/%([%hpr])/g, (_, token: string) =>
    token === "h" ? host : token === "p" ? String(port) : token === "r" ? user : "%",
  );
}

export function startProxy(command: string): ProxyProcess {
  const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "pipe", "pipe"], detached: true });
  let stderr = "";
  let status: string | undefined;
  const ended = new Promise<void>((resolve) => child.once("close", () => resolve()));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-2000);
  });
  child.on("exit", (code, signal) => {
    status = signal ? `ended by signal ${signal}` : `exited with code ${code}`;
  });
  child.on("error", (error) => {
    status = `could not start: ${error.message}`;
  });
  child.stdin.on("error", () => {});
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on("error", () => {});
  const signalGroup = (signal: NodeJS.Signals) => {
    // the group, not only the shell: what the command started in the background goes too
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    sock,
    stderrTail: () => stderr.trim(),
    async exitStatus(ms) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
      return status;
    },
    close() {
      sock.destroy();
      signalGroup("SIGTERM");
      setTimeout(() => signalGroup("SIGKILL"), 1000).unref();
    },
  };
}
