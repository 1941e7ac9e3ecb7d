/**
 * The `from` file of `Batch`: opened from internal storage (or from a local copy, per Kestra's
 * `inputHandling`) and read as a stream of rows, one Ion value per line, so that memory stays flat
 * whatever the file's size. A file that cannot be read is an input failure, which `retryScope:
 * INPUT` retries; a file that is not Ion fails at once.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NonRetryableError, TaskError, errorMessage, isSakerError, type RunContext } from "@saker/sdk";
import { IonReadError, readIonLines } from "@saker/sdk/ion";

export const INPUT_HANDLINGS = ["AUTO", "STREAM", "LOCAL"] as const;
export type InputHandling = (typeof INPUT_HANDLINGS)[number];

/** Errors that come from reading `from` (not from the database): what `retryScope: INPUT` retries. */
const inputFailures = new WeakSet<object>();

export function isInputFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && inputFailures.has(error);
}

function inputFailure(message: string): TaskError {
  const error = new TaskError(message);
  inputFailures.add(error);
  return error;
}

/** A storage error about `from` (missing file, forbidden path) as a task error naming the property. */
function storageError(error: unknown, uri: string): Error {
  const reason = errorMessage(error);
  if (isSakerError(error) && /NOT_FOUND|DENIED|INVALID/.test(error.code))
    return new NonRetryableError(`property 'from': ${reason}`);
  return inputFailure(`property 'from': cannot read '${uri}': ${reason}`);
}

export interface BatchInput {
  /** Opens the file from its start (again on a retry). */
  open(): Promise<Readable>;
  /** Deletes the local copy, if any. */
  cleanup(): Promise<void>;
}

/**
 * `STREAM` reads internal storage on each attempt; `LOCAL` copies the file to the working
 * directory first (failing when it is larger than `localBufferMaxBytes`); `AUTO` copies it when
 * it is not larger, else streams it.
 */
export async function prepareInput(
  uri: string,
  handling: InputHandling,
  maxBytes: number,
  ctx: RunContext,
): Promise<BatchInput> {
  if (!uri.startsWith("kestra://"))
    throw new NonRetryableError(`property 'from' must be a kestra:// URI of a stored file, got '${uri}'`);
  const remote: BatchInput = {
    open: () => ctx.storage.getFile(uri).catch((error: unknown) => Promise.reject(storageError(error, uri))),
    cleanup: async () => {},
  };
  if (handling === "STREAM") return remote;
  const size = await ctx.storage.size(uri).catch((error: unknown) => Promise.reject(storageError(error, uri)));
  if (size > maxBytes) {
    if (handling === "LOCAL")
      throw new NonRetryableError(
        `property 'from': the file has ${size} bytes, more than localBufferMaxBytes (${maxBytes}) allows with inputHandling LOCAL`,
      );
    ctx.logger.debug("Streaming '{}' ({} bytes) from internal storage", uri, size);
    return remote;
  }
  const path = join(
    await ctx.workingDir(),
    `batch-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.ion`,
  );
  try {
    await pipeline(await remote.open(), createWriteStream(path, { flags: "wx", mode: 0o600 }));
  } catch (error) {
    await rm(path, { force: true });
    throw isSakerError(error) ? error : inputFailure(`property 'from': cannot copy '${uri}': ${errorMessage(error)}`);
  }
  return { open: async () => createReadStream(path), cleanup: () => rm(path, { force: true }) };
}

/** The file's values in order; read errors name `from` and the line. */
export async function* rowsOf(stream: Readable, uri: string): AsyncGenerator<unknown> {
  try {
    yield* readIonLines(stream, { tagged: true });
  } catch (error) {
    if (error instanceof IonReadError)
      throw new NonRetryableError(`property 'from': '${uri}' is not an Ion file of rows: ${error.message}`);
    throw inputFailure(`property 'from': reading '${uri}' failed: ${errorMessage(error)}`);
  }
}
