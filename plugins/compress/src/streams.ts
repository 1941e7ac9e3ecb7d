/** Stream helpers shared by the tasks. */
import { Transform, type TransformCallback } from "node:stream";
import { NonRetryableError, isSakerError } from "@saker/sdk";
import type { Budget } from "./limits.ts";

/** Passes bytes through, counting them against `budget` for entry `name`. */
export function counted(budget: Budget, name: string): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        budget.add(chunk.length, name);
        callback(null, chunk);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/** A user-facing error for a failure while reading an archive or compressed file, naming the entry when known. */
export function corrupt(error: unknown, what: string, entry?: string): Error {
  if (isSakerError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = entry === undefined ? "" : ` (entry '${entry}')`;
  return new NonRetryableError(`${what} is corrupt or truncated${where}: ${message}`, { cause: error });
}
