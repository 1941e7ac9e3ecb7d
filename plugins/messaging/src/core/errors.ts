/**
 * Broker failures as task errors: the client's reason in one line, prefixed with the family
 * (`NATS`, `Redis`…), never a stack trace and never a credential. Network failures and timeouts
 * may be retried; refused credentials and bad requests are non-retryable. Also the deadline every
 * connection attempt gets, so an unreachable server fails the task instead of hanging it.
 */
import { NonRetryableError, TaskError, errorMessage, isSakerError } from "@saker/sdk";

/** Error codes of the network layer: the server could not be reached or the connection dropped. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** How long a connection attempt may take when the family has no `connectTimeout` of its own. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The URL without its user info (`nats://user:pass@host` → `nats://host`), for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}

/** The user info of a URL, decoded: the secrets a message must never show. */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(url);
  if (!match) return [];
  const secrets = match[1]!.split(":").filter((part) => part.length >= 2);
  return [...secrets, ...secrets.map((s) => safeDecode(s))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Replaces every secret (2 characters or more) in `message` with `***`. */
export function scrub(message: string, secrets: readonly (string | undefined)[]): string {
  let text = message;
  for (const secret of secrets) if (secret && secret.length >= 2) text = text.split(secret).join("***");
  return text;
}

export interface BrokerErrorOptions {
  /** `NATS`, `Redis`…: the message's prefix. */
  label: string;
  /** The server, as the message should show it (already redacted). */
  where: string;
  /** Credentials to scrub from the message (passwords, tokens, the raw URL). */
  secrets?: readonly (string | undefined)[];
  /** The client's own wording for refused credentials, when it has no code for it. */
  authPattern?: RegExp;
}

/** Turns whatever a client threw into a SakerError. SakerErrors pass through unchanged. */
export function brokerError(error: unknown, options: BrokerErrorOptions): Error {
  if (isSakerError(error)) return error;
  const secrets = options.secrets ?? [];
  const code = (error as { code?: unknown })?.code;
  const detail = errorMessage(error);
  let message: string;
  let retryable: boolean;
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    const reason =
      code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? "unknown host"
          : detail;
    message = `cannot reach ${options.where}: ${reason}`;
    retryable = true;
  } else if (options.authPattern?.test(detail)) {
    message = `${options.where} refused the credentials: ${detail}`;
    retryable = false;
  } else {
    message = detail;
    retryable = true;
  }
  const text = scrub(`${options.label}: ${message}`, secrets);
  return retryable ? new TaskError(text) : new NonRetryableError(text);
}

/**
 * `work` raced against a deadline and the task's signal: rejects with a TaskError naming `what`
 * after `ms`, or when `signal` aborts, calling `onGiveUp` (close the half-open client) either way.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  options: { ms: number; signal: AbortSignal; what: string; onGiveUp?: () => void },
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    const fail = (message: string) => {
      try {
        options.onGiveUp?.();
      } catch {
        // Closing a client that never connected may throw: the error below is what matters.
      }
      reject(new TaskError(message));
    };
    timer = setTimeout(() => fail(`${options.what} did not complete within ${options.ms} ms`), options.ms);
    onAbort = () => fail(`${options.what} was stopped (the task timed out or was killed)`);
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, giveUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal.removeEventListener("abort", onAbort);
    work.catch(() => {});
  }
}

/**
 * Calls `close` when `signal` aborts (the task timed out or was killed), so that a command
 * waiting on a server that stopped answering fails instead of hanging. Returns the disposer.
 */
export function closeOnAbort(signal: AbortSignal, close: () => void): () => void {
  const onAbort = () => {
    try {
      close();
    } catch {
      // Already closed.
    }
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** The error of a task stopped while talking to `label`'s server. */
export function stoppedError(label: string): Error {
  return new TaskError(`${label}: stopped while waiting for the server (the task timed out or was killed)`);
}
