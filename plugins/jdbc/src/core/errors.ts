/**
 * Database failures as task errors: the database's own message (and SQLSTATE), never a stack
 * trace and never the password. Errors a retry cannot fix (syntax, unknown table, bad
 * credentials) are non-retryable; lost connections and timeouts may be retried.
 */
import { NonRetryableError, TaskError, errorMessage, isSakerError } from "@saker/sdk";

export interface DbErrorInfo {
  message: string;
  /** SQLSTATE or the driver's error code. */
  code?: string | undefined;
  retryable: boolean;
}

/** Error codes of the network layer: the database could not be reached or the connection dropped. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
]);

/** The message and code of a network error, when `error` is one. */
export function networkError(error: unknown, where: string): DbErrorInfo | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    const reason =
      code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? "unknown host"
          : errorMessage(error);
    return { message: `cannot reach ${where}: ${reason}`, code, retryable: true };
  }
  // AggregateError from happy-eyeballs connects: use the first network cause.
  const errors = (error as { errors?: unknown[] })?.errors;
  if (Array.isArray(errors) && errors.length) return networkError(errors[0], where);
  return undefined;
}

/**
 * An error the server gave no code for: retryable when it says the connection was lost or timed
 * out (`lost`, or its message matches `lostPattern`), else the driver's message as is.
 */
export function driverError(
  error: unknown,
  lostPattern: RegExp,
  options: { lost?: boolean | undefined; code?: string | undefined } = {},
): DbErrorInfo {
  const message = errorMessage(error);
  if (options.lost || lostPattern.test(message))
    return {
      message: `the connection was lost or timed out: ${message}`,
      ...(options.code ? { code: options.code } : {}),
      retryable: true,
    };
  return { message, retryable: false };
}

/** Removes every secret from a message (the driver may echo a connection string). */
function scrub(message: string, secrets: readonly (string | undefined)[]): string {
  let text = message;
  for (const secret of secrets) if (secret && secret.length >= 2) text = text.split(secret).join("***");
  return text;
}

/**
 * Turns whatever a driver threw into a SakerError with `label` ("PostgreSQL") in front. SakerErrors
 * pass through unchanged.
 */
export function toTaskError(
  error: unknown,
  label: string,
  describe: (error: unknown) => DbErrorInfo,
  secrets: readonly (string | undefined)[],
): Error {
  if (isSakerError(error)) return error;
  const info = describe(error);
  const code = info.code ? ` [${info.code}]` : "";
  const message = scrub(`${label}: ${info.message}${code}`, secrets);
  return info.retryable ? new TaskError(message) : new NonRetryableError(message);
}
