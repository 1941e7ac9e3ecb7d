/**
 * How the AMQP types reach RabbitMQ: Kestra's `host`/`port`/`username`/`password`/`virtualHost`
 * (or the deprecated `url`), a connection attempt bounded in time and by the task's signal, and
 * broker errors turned into messages that name the cause without the password.
 */
import type { ChannelModel, Options } from "amqplib";
import { NonRetryableError, TaskError, z } from "@saker/sdk";
import { describeError, redactUrls } from "../core/redactText.ts";

/** The connection properties every AMQP type has. */
export const amqpConnectionShape = {
  url: z
    .string()
    .optional()
    .describe("Deprecated in Kestra (prefer `host`…): `amqp://user:password@host:port/vhost`; not with `host`."),
  host: z.string().optional().describe("The broker host (required unless `url` is set)."),
  port: z.union([z.string(), z.number()]).default("5672").describe("The broker port."),
  username: z.string().optional().describe("The broker username."),
  password: z.string().optional().describe("The broker password."),
  virtualHost: z.string().default("/").describe("The broker virtual host."),
};

export interface AmqpConnectionProps {
  url?: string | undefined;
  host?: string | undefined;
  port: string | number;
  username?: string | undefined;
  password?: string | undefined;
  virtualHost: string;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** The connection options, from `url` or the separate properties (Kestra: not both). */
export function amqpOptions(props: AmqpConnectionProps): Options.Connect {
  if (props.url && props.host) throw new NonRetryableError("Cannot define both `url` and `host`");
  let { host, port, username, password, virtualHost } = props;
  if (props.url) {
    let parsed: URL;
    try {
      parsed = new URL(props.url);
    } catch {
      throw new NonRetryableError(`url is not a valid URL: ${redactUrls(props.url)}`);
    }
    if (parsed.protocol !== "amqp:" && parsed.protocol !== "amqps:")
      throw new NonRetryableError(`url must start with amqp:// or amqps://, got ${parsed.protocol}//`);
    host = parsed.hostname;
    if (parsed.port) port = parsed.port;
    if (parsed.username) {
      username = decodeURIComponent(parsed.username);
      password = decodeURIComponent(parsed.password);
    }
    // The AMQP URI spec: the path without its leading slash is the vhost; none means "/".
    if (parsed.pathname.length > 1) virtualHost = decodeURIComponent(parsed.pathname.slice(1));
  }
  if (!host) throw new NonRetryableError("host is required (or the deprecated url)");
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber <= 0 || portNumber > 65535)
    throw new NonRetryableError(`port must be a TCP port number, got '${port}'`);
  return {
    protocol: props.url?.startsWith("amqps:") ? "amqps" : "amqp",
    hostname: host,
    port: portNumber,
    vhost: virtualHost,
    ...(username !== undefined ? { username, password: password ?? "" } : {}),
  };
}

/** `host:port/vhost`, for messages. */
export function brokerName(options: Options.Connect): string {
  return `${options.hostname}:${options.port}${options.vhost === "/" ? "" : ` (virtual host '${options.vhost}')`}`;
}

/** Opens a connection, failing with a clear error within the connect timeout or when `signal` aborts. */
export async function openAmqp(props: AmqpConnectionProps, signal: AbortSignal): Promise<ChannelModel> {
  const options = amqpOptions(props);
  signal.throwIfAborted();
  const { connect } = await import("amqplib");
  const attempt = connect(options, { timeout: CONNECT_TIMEOUT_MS });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const model = await Promise.race([attempt, aborted]);
    // An 'error' event without a listener would crash the process: errors surface through the calls instead.
    model.on("error", () => undefined);
    return model;
  } catch (error) {
    // A connection opened after an abort is closed at once.
    void attempt.then((late) => late.close()).catch(() => undefined);
    if (signal.aborted) throw error;
    throw connectError(error, options);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

function connectError(error: unknown, options: Options.Connect): Error {
  const text = describeError(error);
  const where = brokerName(options);
  if (/ACCESS[-_]REFUSED/i.test(text))
    return new NonRetryableError(
      `RabbitMQ at ${where} refused the login of user '${options.username ?? "guest"}': wrong username or password (${text})`,
    );
  if (/NOT[-_]ALLOWED/i.test(text))
    return new NonRetryableError(
      `RabbitMQ at ${where} refused access to the virtual host '${options.vhost}' (${text})`,
    );
  if (/timeout|ETIMEDOUT/i.test(text))
    return new TaskError(`Cannot connect to RabbitMQ at ${where}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
  return new TaskError(`Cannot connect to RabbitMQ at ${where}: ${text}`);
}

/** A broker error on a channel (missing queue or exchange, refused message…), named. */
export function channelError(error: unknown, what: string): Error {
  const text = describeError(error);
  if (/NOT[-_]FOUND/.test(text)) return new NonRetryableError(`${what}: not found on the broker (${text})`);
  if (/PRECONDITION[-_]FAILED/.test(text)) return new NonRetryableError(`${what}: refused by the broker (${text})`);
  return new TaskError(`${what}: ${text}`);
}

/** Runs `work` with a fresh connection, always closed after. */
export async function withAmqp<T>(
  props: AmqpConnectionProps,
  signal: AbortSignal,
  work: (model: ChannelModel) => Promise<T>,
): Promise<T> {
  const model = await openAmqp(props, signal);
  try {
    return await work(model);
  } finally {
    await model.close().catch(() => undefined);
  }
}
