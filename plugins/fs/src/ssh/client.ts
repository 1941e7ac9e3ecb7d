/**
 * One SSH connection through ssh2 for the `Command` task: log in with exactly the methods the task
 * chose, check the server's host key when asked, run one command on an exec channel with its
 * output streamed as it comes, and stop it (signal, then close) when the task is stopped.
 *
 * Failures are {@link RemoteError}s whose messages name the server and the property to check,
 * never a password, a key or a passphrase.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Duplex } from "node:stream";
import ssh2, { type AnyAuthMethod, type ClientChannel, type ParsedKey } from "ssh2";
import { RemoteError } from "../remote/remoteFs.ts";
import { checkKnownHost, keyTypeOf, knownHostsName, type HostKeyStatus } from "./openSsh.ts";

export type LoginMethod = { type: "password"; password: string } | { type: "publickey"; key: ParsedKey };

/** How to check the server's host key: not at all, or against known_hosts files. */
export type HostKeyPolicy =
  | { check: false }
  | {
      check: true;
      /** The name to look up (host or HostKeyAlias). */
      name: string;
      /** The known_hosts files read (path → text); none: every key is unknown. */
      knownHosts: ReadonlyMap<string, string>;
      /** What to tell the user when no file lists the key. */
      advice: string;
    };

export interface SshSettings {
  /** `ssh://host:port`, for messages. */
  target: string;
  /** The address to connect to, unless `sock` carries the connection. */
  address?: string;
  port: number;
  sock?: Duplex;
  username: string;
  /** Tried in this order. */
  methods: LoginMethod[];
  hostKeys: HostKeyPolicy;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Accept host keys signed with RSA/SHA-1 (`ssh-rsa`). */
  enableSshRsa1: boolean;
}

const CONNECTION_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is an SSH server listening on that port? check host and port)",
  EHOSTUNREACH: "host unreachable (check host)",
  ENETUNREACH: "network unreachable (check host)",
  ECONNRESET: "the server reset the connection",
  ETIMEDOUT: "the connection timed out (check host and port, and the firewalls between)",
};

function fingerprint(blob: Buffer): string {
  return `${keyTypeOf(blob)} SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The host key check ssh2 calls, recording why a key was refused. */
function hostVerifier(policy: HostKeyPolicy, port: number, refused: (why: string) => void) {
  return (blob: Buffer): boolean => {
    if (!policy.check) return true;
    const name = knownHostsName(policy.name, port);
    let status: HostKeyStatus = "unknown";
    for (const text of policy.knownHosts.values()) {
      const found = checkKnownHost(text, name, blob);
      if (found === "known" || found === "revoked") status = found;
      else if (found === "changed" && status === "unknown") status = "changed";
      if (status === "known" || status === "revoked") break;
    }
    if (status === "known") return true;
    const files = [...policy.knownHosts.keys()].join(", ") || "none";
    const key = fingerprint(blob);
    refused(
      status === "revoked"
        ? `the server's host key (${key}) is marked @revoked in the known hosts files (${files})`
        : status === "changed"
          ? `the server's host key (${key}) is not the one the known hosts files (${files}) list for '${name}': it changed, or this is another server`
          : `the server's host key (${key}) is not in the known hosts files (${files}) for '${name}'; ${policy.advice}`,
    );
    return false;
  };
}

function describeMethods(methods: readonly LoginMethod[]): string {
  const kinds = new Set(methods.map((m) => m.type));
  if (kinds.size === 2) return "the keys and the password (check username, the identity files and password)";
  return kinds.has("password")
    ? "the password (check username and password)"
    : "the private key (check username and privateKey: is its public half in the user's authorized_keys?)";
}

/** An ssh2 failure as a {@link RemoteError} naming what to check. */
function classify(error: unknown, settings: SshSettings, hostKeyRefusal: string | undefined): RemoteError {
  const e = error as { code?: unknown; level?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  const prefix = `Unable to connect to ${settings.target}`;
  if (hostKeyRefusal) return new RemoteError("AUTH", `${prefix}: ${hostKeyRefusal}`, { cause: error });
  if (e?.level === "client-authentication")
    return new RemoteError(
      "AUTH",
      `${prefix}: the server refused the login with ${describeMethods(settings.methods)}`,
      {
        cause: error,
      },
    );
  if (e?.level === "client-timeout" || /timed out/i.test(message))
    return new RemoteError("TIMEOUT", `${prefix}: no SSH login within ${settings.connectTimeoutMs / 1000} s`, {
      cause: error,
    });
  const known = typeof e?.code === "string" ? CONNECTION_ERRORS[e.code] : undefined;
  if (known) return new RemoteError("UNREACHABLE", `${prefix}: ${known}`, { cause: error });
  if (/before handshake|protocol/i.test(message))
    return new RemoteError("FAILED", `${prefix}: this is not an SSH server, or it closed the connection (${message})`, {
      cause: error,
    });
  return new RemoteError("FAILED", `${prefix}: ${message}`, { cause: error });
}

/** A logged-in connection: run a command on it, then close it. */
export interface SshConnection {
  exec(command: string, options: ExecOptions): Promise<RemoteExit>;
  /** Ends the connection (politely, then at once after a second). Never throws. */
  close(): Promise<void>;
}

/** Connects and logs in; an abort of `signal` drops the connection and rejects with its reason. */
export function connectSsh(settings: SshSettings, signal: AbortSignal): Promise<SshConnection> {
  const client = new ssh2.Client();
  let hostKeyRefusal: string | undefined;
  let open = true;
  const ended = new Promise<void>((resolve) =>
    client.on("close", () => {
      open = false;
      resolve();
    }),
  );
  const connection: SshConnection = {
    exec: (command, options) => execRemote(client, command, options),
    async close() {
      if (!open) return;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          client.destroy();
          resolve();
        }, 1000);
      });
      client.end();
      await Promise.race([ended, late]);
      clearTimeout(timer);
    },
  };
  const methods: AnyAuthMethod[] = settings.methods.map((m) =>
    m.type === "password"
      ? { type: "password", username: settings.username, password: m.password }
      : { type: "publickey", username: settings.username, key: m.key },
  );
  return new Promise((resolve, reject) => {
    const onAbort = () => fail(signal.reason, false);
    const fail = (error: unknown, classified = true) => {
      signal.removeEventListener("abort", onAbort);
      client.destroy();
      reject(classified ? classify(error, settings, hostKeyRefusal) : error);
    };
    const closedEarly = () => fail(new Error("the server closed the connection during the login"));
    client.once("ready", () => {
      signal.removeEventListener("abort", onAbort);
      client.off("error", fail);
      client.off("close", closedEarly);
      // later failures (a dropped connection) reach the running command: its channel closes
      client.on("error", () => {});
      resolve(connection);
    });
    client.on("error", fail);
    client.once("close", closedEarly);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      client.connect({
        ...(settings.sock ? { sock: settings.sock } : { host: settings.address!, port: settings.port }),
        username: settings.username,
        authHandler: methods,
        hostVerifier: hostVerifier(settings.hostKeys, settings.port, (why) => (hostKeyRefusal = why)),
        readyTimeout: settings.connectTimeoutMs,
        keepaliveInterval: settings.keepaliveIntervalMs,
        keepaliveCountMax: 3,
        algorithms: (settings.enableSshRsa1 ? {} : { serverHostKey: { remove: ["ssh-rsa"] } }) as never,
      });
    } catch (error) {
      fail(error);
    }
  });
}

export interface RemoteExit {
  /** The exit status; undefined when the command ended by a signal or the server sent none. */
  code?: number;
  /** The signal that ended the command (`TERM`). */
  signal?: string;
}

export interface ExecOptions {
  env: Record<string, string>;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** Aborted: the command is signalled (TERM, then KILL) and its channel closed. */
  signal: AbortSignal;
}

const TERM_GRACE_MS = 2000;
const KILL_GRACE_MS = 1000;

/** Runs `command` on an exec channel; resolves when the channel closes. */
async function execRemote(client: ssh2.Client, command: string, options: ExecOptions): Promise<RemoteExit> {
  const exit: RemoteExit = {};
  let closed!: Promise<void>;
  // The listeners go on in the callback itself: a short command's output, exit status and close
  // can come in the same packet as the server's consent, before a promise's continuation runs.
  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    // stopped before the server agreed to run the commands: the connection goes
    const stopWaiting = () => {
      client.destroy();
      reject(options.signal.reason ?? new Error("stopped"));
    };
    options.signal.addEventListener("abort", stopWaiting, { once: true });
    client.exec(command, { env: options.env }, (error, ch) => {
      options.signal.removeEventListener("abort", stopWaiting);
      if (error) return reject(new RemoteError("FAILED", `The server refused to run the commands: ${error.message}`));
      closed = new Promise<void>((done) => ch.once("close", () => done()));
      ch.on("data", options.onStdout);
      ch.stderr.on("data", options.onStderr);
      ch.on("exit", (code: number | null, signal?: string) => {
        if (typeof code === "number") exit.code = code;
        else if (signal) exit.signal = signal.replace(/^SIG/, "");
      });
      // nothing is ever written to the commands' stdin: a command reading it gets end of file
      ch.end();
      resolve(ch);
    });
  });
  const stop = () => void stopChannel(channel, closed, () => client.destroy());
  options.signal.addEventListener("abort", stop, { once: true });
  try {
    if (options.signal.aborted) stop();
    await closed;
    return exit;
  } finally {
    options.signal.removeEventListener("abort", stop);
  }
}

/**
 * Sends a `signal` channel request. ssh2's `channel.signal()` sends nothing once the channel's
 * stdin is ended, which SSH allows (EOF ends only the data): then the request goes through the
 * channel's protocol object, as `signal()` itself does. False when it could not be sent.
 */
function sendSignal(channel: ClientChannel, name: string): boolean {
  const inner = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal?(id: number, name: string): void } };
  };
  const protocol = inner._client?._protocol;
  if (!inner.outgoing || !["open", "eof"].includes(inner.outgoing.state) || typeof protocol?.signal !== "function")
    return false;
  try {
    protocol.signal(inner.outgoing.id, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a running command: TERM to its process group (OpenSSH ≥ 7.9 delivers signals, except to
 * root's sessions), KILL if it is still there, then the channel is closed whatever happened, and
 * the connection dropped if even that is not answered.
 */
async function stopChannel(channel: ClientChannel, closed: Promise<void>, drop: () => void): Promise<void> {
  const within = (ms: number) =>
    Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  for (const [signal, grace] of [
    ["TERM", TERM_GRACE_MS],
    ["KILL", KILL_GRACE_MS],
  ] as const) {
    if (!sendSignal(channel, signal)) break;
    if (await within(grace)) return;
  }
  channel.close();
  if (!(await within(KILL_GRACE_MS))) drop();
}
