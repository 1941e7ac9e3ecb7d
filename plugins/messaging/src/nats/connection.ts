/**
 * Connecting to NATS as Kestra's NATS tasks do: `url` (`nats://host:port`, optionally with a
 * token or `user:password` in it), `username`/`password`, `token`, or the text of a `.creds`
 * file. The attempt has a deadline and follows the task's signal; the client never reconnects
 * (a task fails and may be retried; a realtime listener is restarted by the engine).
 */
import type { ConnectionOptions, NatsConnection } from "nats";
import { z } from "@saker/sdk";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  brokerError,
  checkBrokerHost,
  hostOf,
  redactUrl,
  withDeadline,
  type BrokerContext,
} from "../core/index.ts";

export const natsConnectionShape = {
  url: z
    .string()
    .min(1)
    .describe("The NATS server: `nats://host:port` (a token may be given as `nats://token@host:port`)."),
  username: z.string().optional().describe("Plain-text user name (with `password`)."),
  password: z.string().optional().describe("Plain-text password (with `username`)."),
  token: z.string().optional().describe("Token authentication."),
  creds: z
    .string()
    .optional()
    .describe("The content of a NATS credentials (`.creds`) file: a user JWT and its NKey seed."),
};

export interface NatsConnectionProps {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  creds?: string | undefined;
}

/** Credentials that must never appear in a message. */
export function natsSecrets(props: NatsConnectionProps): string[] {
  const fromUrl = parseNatsUrl(props.url);
  return [props.password, props.token, props.creds, fromUrl.pass, fromUrl.token, fromUrl.user].filter(
    (s): s is string => !!s,
  );
}

interface ParsedUrl {
  server: string;
  user?: string;
  pass?: string;
  token?: string;
}

/** The server without user info, and the user info: `user:pass@` or `token@`. */
function parseNatsUrl(url: string): ParsedUrl {
  const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(?:([^@/]*)@)?(.*)$/i.exec(url.trim());
  const scheme = match?.[1] ?? "nats";
  const info = match?.[2];
  const server = `${scheme}://${match?.[3] ?? ""}`;
  if (!info) return { server };
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const colon = info.indexOf(":");
  if (colon < 0) return { server, token: decode(info) };
  return { server, user: decode(info.slice(0, colon)), pass: decode(info.slice(colon + 1)) };
}

/** The server `props` name, without credentials, for messages. */
export function natsServer(props: NatsConnectionProps): string {
  return redactUrl(parseNatsUrl(props.url).server);
}

const AUTH_FAILURE = /authorization violation|authentication|BAD_CREDS|BAD_AUTHENTICATION|AUTHORIZATION_VIOLATION/i;

/** Turns a client error into a task error naming the server, without credentials. */
export function natsError(error: unknown, props: NatsConnectionProps): Error {
  const code = (error as { code?: unknown })?.code;
  const where = redactUrl(parseNatsUrl(props.url).server);
  const base = { label: "NATS", where, secrets: natsSecrets(props), authPattern: AUTH_FAILURE };
  if (code === "CONNECTION_REFUSED")
    return brokerError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), base);
  if (code === "503" && /jetstream/i.test(String((error as Error).message)))
    return brokerError(new Error(`JetStream is not enabled on ${where}`), base);
  return brokerError(error, base);
}

/** A connection to the server `props` name; fails within the deadline or when `ctx.signal` aborts. */
export async function connectNats(
  props: NatsConnectionProps,
  ctx: BrokerContext,
  timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<NatsConnection> {
  const parsed = parseNatsUrl(props.url);
  try {
    await checkBrokerHost(ctx, hostOf(parsed.server), "url");
  } catch (error) {
    throw natsError(error, props);
  }
  const options: ConnectionOptions = {
    servers: parsed.server,
    reconnect: false,
    timeout: timeoutMs,
    name: "saker",
  };
  const user = props.username ?? parsed.user;
  const pass = props.password ?? parsed.pass;
  if (user !== undefined && pass !== undefined) Object.assign(options, { user, pass });
  const token = props.token ?? parsed.token;
  if (token !== undefined) options.token = token;
  const { connect, credsAuthenticator } = await import("nats");
  if (props.creds) options.authenticator = credsAuthenticator(new TextEncoder().encode(props.creds));
  const attempt = connect(options);
  try {
    return await withDeadline(attempt, {
      ms: timeoutMs + 1_000,
      signal: ctx.signal,
      what: `connecting to NATS at ${redactUrl(parsed.server)}`,
      onGiveUp: () => void attempt.then((nc) => nc.close()).catch(() => {}),
    });
  } catch (error) {
    throw natsError(error, props);
  }
}
