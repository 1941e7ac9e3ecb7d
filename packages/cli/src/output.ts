import { isSakerError, errorMessage } from "@saker/sdk/errors";

/** Prints an error for a person: the message (with code for Saker errors), never a bare stack. */
export function reportError(error: unknown): void {
  const text = isSakerError(error) ? `${error.message} [${error.code}]` : errorMessage(error);
  process.stderr.write(`error: ${text}\n`);
  if (process.env.SAKER_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
