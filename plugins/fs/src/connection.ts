/**
 * The connection properties of each protocol (Kestra's names and defaults) and the one way a task
 * or the trigger opens a session: within the run's signal, closed whatever happens, with remote
 * failures turned into task errors that name the server but never the credentials.
 *
 * @module
 */
import {
  duration,
  isDuration,
  isSakerError,
  NonRetryableError,
  parseDuration,
  resolveOutbound,
  TaskError,
  z,
  type RunContext,
} from "@saker/sdk";
import { RemoteError, type RemoteFs } from "./remote/remoteFs.ts";
import { serverPath } from "./paths.ts";

export type Protocol = "sftp" | "ftp" | "ftps";

const DEFAULT_PORTS: Record<Protocol, number> = { sftp: 22, ftp: 21, ftps: 990 };
/** Kestra's SFTP session timeout (fixed there too). */
const SFTP_CONNECT_TIMEOUT_MS = 10_000;

const port = (protocol: Protocol) =>
  z
    .union([z.number().int(), z.string().regex(/^\d+$/, "must be a port number")])
    .optional()
    .describe(`The server's port (default ${DEFAULT_PORTS[protocol]}).`);

const common = (protocol: Protocol) => ({
  host: z.string().min(1).describe("The remote host."),
  port: port(protocol),
  username: z.string().optional().describe("The user to log in as."),
  password: z.string().optional().describe("The password of `username`."),
  rootDir: z
    .boolean()
    .default(true)
    .describe("Resolve remote paths from the user's home directory (`false`: from the server's `/`)."),
});

const sftpShape = {
  ...common("sftp"),
  keyfile: z
    .string()
    .optional()
    .describe("A private key (PEM or OpenSSH) for public-key authentication, used instead of the password."),
  passphrase: z.string().optional().describe("The passphrase of `keyfile`."),
  proxyAddress: z.string().optional().describe("An SFTP proxy's address (not supported: set it and the task fails)."),
  proxyHost: z.string().optional().describe("Deprecated: `proxyAddress`."),
  proxyPort: z.union([z.string(), z.number()]).optional().describe("The proxy's port."),
  proxyUsername: z.string().optional().describe("The proxy's user."),
  proxyUser: z.string().optional().describe("Deprecated: `proxyUsername`."),
  proxyPassword: z.string().optional().describe("The proxy's password."),
  proxyType: z.string().optional().describe("SOCKS5, STREAM or HTTP."),
  keyExchangeAlgorithm: z
    .string()
    .optional()
    .describe("Use only this key exchange algorithm (e.g. `diffie-hellman-group14-sha256`)."),
  enableSshRsa1: z
    .boolean()
    .default(false)
    .describe("Accept a server host key signed with RSA/SHA-1 (`ssh-rsa`), which is off by default."),
};

const ftpOptions = z
  .object({
    connectionTimeout: duration().prefault("PT30S").describe("Time to connect and log in."),
    dataTimeout: duration().prefault("PT30S").describe("Time to open a data connection."),
    socketTimeout: duration().prefault("PT30S").describe("Time a connected socket may stay silent."),
    controlKeepAliveTimeout: duration()
      .prefault("PT30S")
      .describe("Accepted (the control connection is not kept alive separately)."),
    controlKeepAliveReplyTimeout: duration().prefault("PT30S").describe("Accepted, as `controlKeepAliveTimeout`."),
  })
  .prefault({})
  .describe("FTP client timeouts.");

const ftpShape = (protocol: Protocol) => ({
  ...common(protocol),
  proxyHost: z.string().optional().describe("An FTP proxy's host (not supported: set it and the task fails)."),
  proxyPort: z.union([z.string(), z.number()]).optional().describe("The proxy's port."),
  proxyType: z.enum(["DIRECT", "HTTP", "SOCKS"]).optional().describe("The proxy's type."),
  passiveMode: z
    .boolean()
    .default(true)
    .describe(
      "Use passive data connections; `false`: active mode (PORT/EPRT), the server connects back to an ephemeral port of this host.",
    ),
  remoteIpVerification: z
    .boolean()
    .default(true)
    .describe("Refuse a data connection the server offers on another address than the control connection's."),
  options: ftpOptions,
});

const ftpsShape = {
  ...ftpShape("ftps"),
  mode: z.enum(["EXPLICIT", "IMPLICIT"]).default("EXPLICIT").describe("Explicit (AUTH TLS) or implicit TLS."),
  dataChannelProtectionLevel: z
    .enum(["C", "S", "E", "P"])
    .default("P")
    .describe("The data channel's protection (PROT); only P (encrypted) is supported."),
  insecureTrustAllCertificates: z
    .boolean()
    .optional()
    .describe("Do not check the server's certificate. Insecure: for tests against self-signed servers only."),
};

export const CONNECTION_SHAPES = { sftp: sftpShape, ftp: ftpShape("ftp"), ftps: ftpsShape } as const;

type SftpProps = z.output<z.ZodObject<typeof sftpShape>>;
type FtpProps = z.output<z.ZodObject<ReturnType<typeof ftpShape>>>;
type FtpsProps = z.output<z.ZodObject<typeof ftpsShape>>;
/** What every protocol's properties have; the rest is read per protocol. */
export interface ConnectionProps {
  host: string;
  port?: string | number | undefined;
  username?: string | undefined;
  password?: string | undefined;
  rootDir: boolean;
}

/** How long a transfer may move no byte before it fails (instance setting `idleTimeout`). */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * The instance's settings for this plugin (`plugins.configurations`, `type: io.kestra.plugin.fs`):
 * `idleTimeout`, an ISO duration or milliseconds.
 */
export function idleTimeoutOf(configuration: Readonly<Record<string, unknown>>): number {
  const value = configuration.idleTimeout;
  if (typeof value === "number" && value > 0) return value;
  if (typeof value === "string" && isDuration(value)) return parseDuration(value);
  return DEFAULT_IDLE_TIMEOUT_MS;
}

/** An open session: the file system, and how to turn a user's path into a server path. */
export interface Session {
  fs: RemoteFs;
  /** Milliseconds a transfer may move no byte before the session is closed and the transfer fails. */
  idleTimeoutMs: number;
  /** The server path of a path as written in a flow (under the root). */
  resolve(path: string): string;
  /** The path as written in a flow of a server path (the root taken off). */
  relative(serverPath: string): string;
}

function portOf(protocol: Protocol, props: ConnectionProps): number {
  return props.port === undefined ? DEFAULT_PORTS[protocol] : Number(props.port);
}

/** What a session needs of the task's (or the trigger's) context. */
export type SessionContext = Pick<RunContext, "signal" | "pluginConfiguration" | "flow" | "task"> &
  Partial<Pick<RunContext, "refusedAddresses">>;

/** The address to connect to: `host` resolved, refused when configuration http.refusedAddresses says so. */
async function addressOf(protocol: Protocol, props: ConnectionProps, ctx: SessionContext): Promise<string> {
  try {
    return await resolveOutbound(ctx, props.host, "host");
  } catch (error) {
    if (isSakerError(error)) throw error;
    throw new RemoteError(
      "UNREACHABLE",
      `Unable to connect to ${protocol}://${props.host}:${portOf(protocol, props)}: ${(error as Error).message}`,
    );
  }
}

async function openFs(protocol: Protocol, props: ConnectionProps, address: string): Promise<RemoteFs> {
  const host = props.host;
  const credentials = {
    ...(props.username !== undefined ? { username: props.username } : {}),
    ...(props.password !== undefined ? { password: props.password } : {}),
  };
  if (protocol === "sftp") {
    const p = props as unknown as SftpProps;
    if (p.proxyType || p.proxyAddress || p.proxyHost)
      throw new NonRetryableError("SFTP through a proxy is not supported: remove the proxy* properties");
    // each protocol's client library (ssh2, basic-ftp) loads with its first session, not with the plugin
    const { openSftp } = await import("./remote/sftp.ts");
    return openSftp({
      host,
      address,
      port: portOf(protocol, props),
      ...credentials,
      ...(p.keyfile !== undefined ? { privateKey: p.keyfile } : {}),
      ...(p.passphrase !== undefined ? { passphrase: p.passphrase } : {}),
      connectTimeout: SFTP_CONNECT_TIMEOUT_MS,
      ...(p.keyExchangeAlgorithm ? { keyExchangeAlgorithm: p.keyExchangeAlgorithm } : {}),
      enableSshRsa1: p.enableSshRsa1,
    });
  }
  const p = props as unknown as FtpProps;
  if (p.proxyHost && p.proxyType !== "DIRECT")
    throw new NonRetryableError("FTP through a proxy is not supported: remove the proxy* properties");
  const ftps = protocol === "ftps" ? (props as unknown as FtpsProps) : undefined;
  if (ftps && ftps.dataChannelProtectionLevel !== "P")
    throw new NonRetryableError(
      `dataChannelProtectionLevel ${ftps.dataChannelProtectionLevel} is not supported: only P (encrypted) is`,
    );
  const { openFtp } = await import("./remote/ftp.ts");
  return openFtp({
    host,
    address,
    port: portOf(protocol, props),
    ...credentials,
    secure: ftps ? (ftps.mode === "IMPLICIT" ? "implicit" : "explicit") : false,
    rejectUnauthorized: !ftps?.insecureTrustAllCertificates,
    remoteIpVerification: p.remoteIpVerification,
    passiveMode: p.passiveMode,
    connectTimeout: p.options.connectionTimeout,
    socketTimeout: Math.max(p.options.socketTimeout, p.options.dataTimeout),
    dataTimeout: p.options.dataTimeout,
  });
}

/** A remote failure as a task error: bad credentials and missing files are not worth a retry. */
export function taskErrorOf(error: unknown): unknown {
  if (!(error instanceof RemoteError)) return error;
  return error.kind === "AUTH" || error.kind === "NOT_FOUND"
    ? new NonRetryableError(error.message, { cause: error })
    : new TaskError(error.message, { cause: error });
}

/**
 * `fs` with every call but the transfers (guarded by their own byte watchdog) bounded by
 * `timeoutMs`: a server that stops answering closes the session and fails the call, saying so.
 */
function boundedCalls(fs: RemoteFs, timeoutMs: number, target: string): RemoteFs {
  const bounded =
    <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void fs.close();
          reject(new RemoteError("TIMEOUT", `${target} did not answer '${name}' within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([call.apply(fs, args), timedOut]);
      } finally {
        clearTimeout(timer);
      }
    };
  return {
    home: bounded("home", fs.home),
    stat: bounded("stat", fs.stat),
    list: bounded("list", fs.list),
    read: (path, into) => fs.read(path, into),
    write: (from, path) => fs.write(from, path),
    remove: bounded("remove", fs.remove),
    removeDir: bounded("removeDir", fs.removeDir),
    rename: bounded("rename", fs.rename),
    mkdirs: bounded("mkdirs", fs.mkdirs),
    close: () => fs.close(),
  };
}

/**
 * Opens a session, runs `fn` with it and closes it. An abort of `signal` (the task's timeout or a
 * kill) closes the connection at once, so no call is left waiting on a silent server.
 */
export async function withSession<T>(
  protocol: Protocol,
  props: ConnectionProps,
  ctx: SessionContext,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const signal = ctx.signal;
  const idleTimeoutMs = idleTimeoutOf(ctx.pluginConfiguration());
  signal.throwIfAborted();
  let fs: RemoteFs | undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      void fs?.close();
      reject(new TaskError(`Stopped: ${String((signal.reason as Error | undefined)?.message ?? "aborted")}`));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    const work = (async () => {
      const target = `${protocol}://${props.host}:${portOf(protocol, props)}`;
      fs = boundedCalls(await openFs(protocol, props, await addressOf(protocol, props, ctx)), idleTimeoutMs, target);
      if (signal.aborted) await fs.close();
      const root = props.rootDir ? await fs.home() : "/";
      const base = root.endsWith("/") && root.length > 1 ? root.slice(0, -1) : root;
      return fn({
        fs,
        idleTimeoutMs,
        resolve: (path) => serverPath(base, path),
        relative: (p) => (base === "/" ? p : p === base ? "/" : p.startsWith(`${base}/`) ? p.slice(base.length) : p),
      });
    })();
    work.catch(() => {});
    return await Promise.race([work, aborted]);
  } catch (error) {
    throw taskErrorOf(error);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
    await fs?.close();
  }
}
