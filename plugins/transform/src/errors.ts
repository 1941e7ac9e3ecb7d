/**
 * The errors a user can cause, worded as the engine words a bad property (`property 'from' …`),
 * so a failed task says which property to fix.
 */
import { errorMessage, isSakerError, NonRetryableError, type SakerError } from "@saker/sdk";

/** A property's value cannot be used: `property 'name' <problem>`. */
export function badProperty(name: string, problem: string, cause?: unknown): SakerError {
  return new NonRetryableError(
    `property '${name}' ${problem}`,
    cause === undefined ? { path: name } : { path: name, cause },
  );
}

/** The message of anything thrown, JSONata's plain error objects included. */
export function messageOf(error: unknown): string {
  return isSakerError(error) ? error.reason : errorMessage(error);
}

/** A storage failure opening `property`'s file (none there, not readable by this execution, not a URI). */
export function unreadableFile(property: string, error: unknown): unknown {
  if (!isSakerError(error)) return error;
  return badProperty(property, `cannot be read: ${messageOf(error)}`, error);
}

/** `uri` must look like an internal storage URI before storage is asked for it. */
export function checkStorageUri(property: string, uri: string): void {
  if (!uri.startsWith("kestra://"))
    throw badProperty(property, `must be a kestra:// internal storage URI (got '${uri.slice(0, 100)}')`);
}
