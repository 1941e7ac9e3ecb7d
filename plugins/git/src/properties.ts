/**
 * The properties every git task shares (Kestra's AbstractGitTask and AbstractCloningTask), and the
 * session they open (over HTTP(S), or over SSH for an SSH URL), and the flows they reach. A custom
 * CA and submodules are not supported: a clear error says so.
 */
import { NonRetryableError, z, type FlowAccess, type RunContext } from "@saker/sdk";
import { httpClient } from "./http.ts";
import { openSession, type Session, type Transport } from "./repository.ts";
import { remoteOf } from "./remote.ts";
import { sshTransport } from "./ssh.ts";

export const PREFIX = "io.kestra.plugin.git";

export const connection = {
  url: z
    .string()
    .describe(
      "The repository's URL: HTTP(S) (`https://host/org/repo.git`; credentials written in it are used and never logged) or SSH (`git@host:org/repo.git`, `ssh://[user@]host[:port]/path.git`; the login defaults to `git`), with `privateKey`.",
    ),
  username: z
    .string()
    .optional()
    .describe(
      "User name for HTTP Basic authentication (with a token, any non-empty name most hosts accept). Not used over SSH: the login is the URL's user.",
    ),
  password: z
    .string()
    .optional()
    .describe(
      "Password or personal access token for HTTP Basic authentication; over SSH, a password login when the server allows one.",
    ),
  privateKey: z
    .string()
    .optional()
    .describe(
      "SSH private key (its text, e.g. `{{ secret('GIT_SSH_KEY') }}`) for an SSH `url`: RSA, ECDSA or Ed25519, in OpenSSH (`BEGIN OPENSSH PRIVATE KEY`) or PEM form. The server's host key is not checked, as in Kestra.",
    ),
  passphrase: z.string().optional().describe("Passphrase of `privateKey`, when it is encrypted."),
  trustedCaPemPath: z
    .string()
    .optional()
    .describe("Extra trusted CA file: not supported in Saker (Node's trust store is used)."),
  noProxy: z.boolean().optional().describe("Accepted for compatibility; Saker connects directly."),
  connectTimeout: z.number().int().positive().default(10_000).describe("Milliseconds to wait for a connection."),
  readTimeout: z.number().int().positive().default(60_000).describe("Milliseconds to wait for data from the server."),
  gitConfig: z.record(z.string(), z.unknown()).optional().describe("Accepted for compatibility; not applied in Saker."),
};

export const cloning = {
  cloneSubmodules: z.boolean().optional().describe("Clone submodules: not supported in Saker (fails when `true`)."),
  kestraUrl: z.string().optional().describe("Accepted for compatibility: Saker reaches its flows and files directly."),
  auth: z
    .object({ username: z.string().optional(), password: z.string().optional(), auto: z.boolean().optional() })
    .optional()
    .describe("Accepted for compatibility: Saker reaches its flows and files directly."),
};

export const author = {
  authorName: z.string().optional().describe("Commit author name; defaults to `username`, then `Saker`."),
  authorEmail: z.string().optional().describe("Commit author email; defaults to `saker@localhost`."),
};

export interface ConnectionProps {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
  trustedCaPemPath?: string | undefined;
  connectTimeout: number;
  readTimeout: number;
  cloneSubmodules?: boolean | undefined;
}

export function connect(ctx: RunContext, props: ConnectionProps): Session {
  if (props.trustedCaPemPath)
    throw new NonRetryableError("a custom CA file is not supported: set NODE_EXTRA_CA_CERTS for the Saker process", {
      path: "trustedCaPemPath",
    });
  if (props.cloneSubmodules)
    throw new NonRetryableError("submodules are not supported in Saker", { path: "cloneSubmodules" });
  const remote = remoteOf(ctx, {
    url: props.url,
    username: props.username,
    password: props.password,
    privateKey: props.privateKey,
    passphrase: props.passphrase,
  });
  const timeouts = { connectTimeout: props.connectTimeout, readTimeout: props.readTimeout };
  let transport: Transport;
  if (remote.ssh) {
    if (!props.privateKey && props.password === undefined && remote.ssh.password === undefined)
      throw new NonRetryableError(
        `${remote.url} is an SSH URL: set privateKey (the private key of a key pair whose public key the server knows)`,
        { path: "privateKey" },
      );
    transport = sshTransport(ctx, { ...remote, ssh: remote.ssh }, props, timeouts);
  } else {
    if (props.privateKey)
      throw new NonRetryableError(
        `privateKey is for SSH URLs (git@host:org/repo.git, ssh://host/path.git), and ${remote.url} is an HTTP(S) URL: use username and password (token) with it, or the repository's SSH URL`,
        { path: "privateKey" },
      );
    transport = { http: httpClient(ctx, timeouts), url: remote.url, release: () => undefined };
  }
  return openSession(ctx, remote, transport);
}

export function authorOf(props: {
  authorName?: string | undefined;
  authorEmail?: string | undefined;
  username?: string | undefined;
}) {
  return { name: props.authorName ?? props.username ?? "Saker", email: props.authorEmail ?? "saker@localhost" };
}

/** The flows of the tenant, or a clear error where the context has none. */
export function flowsOf(ctx: RunContext): FlowAccess {
  if (!ctx.flows) throw new NonRetryableError("this task needs a Saker worker to reach the flows");
  return ctx.flows;
}
