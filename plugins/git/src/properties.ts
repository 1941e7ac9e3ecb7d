/**
 * The properties every git task shares (Kestra's AbstractGitTask and AbstractCloningTask), and the
 * session they open, and the flows they reach. SSH keys and a custom CA are not supported: a
 * clear error says so.
 */
import { NonRetryableError, z, type FlowAccess, type RunContext } from "@saker/sdk";
import { openSession, type Session } from "./repository.ts";
import { remoteOf } from "./remote.ts";

export const PREFIX = "io.kestra.plugin.git";

export const connection = {
  url: z
    .string()
    .describe(
      "The repository's HTTP(S) URL. Credentials written in it (`https://user:token@host/…`) are used and never logged.",
    ),
  username: z
    .string()
    .optional()
    .describe("User name for HTTP Basic authentication (with a token, any non-empty name most hosts accept)."),
  password: z.string().optional().describe("Password or personal access token for HTTP Basic authentication."),
  privateKey: z.string().optional().describe("SSH private key: not supported in Saker, use an HTTPS URL with a token."),
  passphrase: z.string().optional().describe("Passphrase of `privateKey`: not supported in Saker."),
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
  trustedCaPemPath?: string | undefined;
  connectTimeout: number;
  readTimeout: number;
  cloneSubmodules?: boolean | undefined;
}

export function connect(ctx: RunContext, props: ConnectionProps): Session {
  if (props.privateKey)
    throw new NonRetryableError("SSH keys are not supported: use an HTTPS URL with username and password (token)", {
      path: "privateKey",
    });
  if (props.trustedCaPemPath)
    throw new NonRetryableError("a custom CA file is not supported: set NODE_EXTRA_CA_CERTS for the Saker process", {
      path: "trustedCaPemPath",
    });
  if (props.cloneSubmodules)
    throw new NonRetryableError("submodules are not supported in Saker", { path: "cloneSubmodules" });
  const remote = remoteOf(ctx, { url: props.url, username: props.username, password: props.password });
  return openSession(ctx, remote, { connectTimeout: props.connectTimeout, readTimeout: props.readTimeout });
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
