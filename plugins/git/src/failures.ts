/**
 * Turns what isomorphic-git, the network and the SSH transport throw into task errors that name
 * the cause in the user's terms (unreachable, refused credentials or key, missing repository or
 * branch, rejected push), with every credential redacted.
 */
import { NonRetryableError, SakerError, TaskError, isSakerError } from "@saker/sdk";
import type { Remote } from "./remote.ts";

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
]);

/** The task error for `error`, raised while `doing` (e.g. "clone") against `remote`. */
export function gitFailure(error: unknown, remote: Remote, doing: string): SakerError {
  const where = `cannot ${doing} ${remote.url}`;
  if (isSakerError(error)) return rewrap(error, remote, where);
  const e = error as { code?: string; name?: string; message?: string; data?: Record<string, unknown> };
  const status = typeof e.data?.statusCode === "number" ? e.data.statusCode : undefined;
  const message = remote.redact(e.message ?? String(error));
  if (e.name === "AbortError") return new TaskError(`${where}: stopped (${message})`);
  if (e.code === "HttpError" && (status === 401 || status === 403))
    return new NonRetryableError(
      `${where}: the server refused the credentials (HTTP ${status}); check username and password (token)`,
    );
  if (e.code === "HttpError" && status === 404)
    return new NonRetryableError(`${where}: repository not found (HTTP 404)`);
  if (e.code === "HttpError") return new TaskError(`${where}: ${message}`);
  if (e.code !== undefined && UNREACHABLE.has(e.code))
    return new TaskError(`${where}: the server cannot be reached (${e.code})`);
  if (e.code === "PushRejectedError" || e.code === "GitPushError")
    return new TaskError(
      `${where}: the push was rejected (${message}); the branch changed meanwhile, run the task again`,
    );
  if (e.code === "SmartHttpError" || e.code === "EmptyServerResponseError")
    return new TaskError(`${where}: the server did not answer as a git server (${message})`);
  return new TaskError(`${where}: ${message}`);
}

/** The same error about `where`, keeping the property it names (`privateKey`, `passphrase`, `url`…). */
function rewrap(error: SakerError, remote: Remote, where: string): SakerError {
  const message = remote.redact(error.reason);
  const text = message.startsWith(where) ? message : `${where}: ${message}`;
  const location = error.location;
  if (error.code === "TASK_FAILED_NON_RETRYABLE") return new NonRetryableError(text, location);
  if (error.code === "TASK_FAILED") return new TaskError(text, location);
  return new SakerError(error.code, text, location);
}
