/**
 * Writing a file to internal storage as a task produces it (`@saker/sdk/storeStream`): a failure
 * of the producer (bad input) fails the task with that error, not retried, rather than as a
 * storage error; a failure of the storage itself is thrown as it is (retryable); storage keeps no
 * partial file.
 */
import { errorMessage, isSakerError, NonRetryableError } from "./errors.ts";
import type { RunContext } from "./runContext.ts";

/** Stores the bytes `produce` yields under `name` and returns the URI. */
export async function storeStream(
  ctx: Pick<RunContext, "storage">,
  name: string,
  produce: AsyncIterable<Buffer>,
): Promise<string> {
  let producerFailed = false;
  let failure: unknown;
  const guarded = async function* () {
    try {
      yield* produce;
    } catch (error) {
      producerFailed = true;
      failure = error;
      throw error;
    }
  };
  try {
    return await ctx.storage.putFile(guarded(), name);
  } catch (error) {
    // the storage's own failure (a network error, a full disk) stays as it is: a retry may pass
    if (!producerFailed) throw error;
    if (isSakerError(failure)) throw failure;
    throw new NonRetryableError(errorMessage(failure), { cause: failure });
  }
}

/** Text lines gathered into chunks of about 64 KiB: one storage write per line is slow. */
export async function* chunkedLines(lines: AsyncIterable<string>, size = 65_536): AsyncGenerator<Buffer> {
  let chunk = "";
  for await (const line of lines) {
    chunk += line;
    if (chunk.length >= size) {
      yield Buffer.from(chunk);
      chunk = "";
    }
  }
  if (chunk !== "") yield Buffer.from(chunk);
}
