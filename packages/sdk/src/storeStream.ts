/**
 * Writing a file to internal storage as a task produces it (`@saker/sdk/storeStream`): a failure
 * of the producer (bad input) fails the task with that error, not retried, rather than as a
 * storage error; a failure of the storage itself is thrown as it is (retryable); storage keeps no
 * partial file.
 */
import { errorMessage, isSakerError, NonRetryableError } from "./errors.ts";
import type { RunContext } from "./runContext.ts";

/** A Node.js system error (`ECONNRESET`, `ENOSPC`…): the input's or the disk's, not bad input. */
const isSystemError = (error: unknown) => /^E[A-Z0-9_]+$/.test(String((error as { code?: unknown })?.code ?? ""));

/** Stores the bytes `produce` yields under `name` and returns the URI. */
export async function storeStream(
  ctx: Pick<RunContext, "storage">,
  name: string,
  produce: AsyncIterable<Buffer>,
): Promise<string> {
  let producerFailed = false;
  let failure: unknown;
  // Only what the producer's own `next()` throws is the producer's failure: the storage stops
  // this generator by throwing into it at its `yield` (Readable.from does), which is not.
  const guarded = async function* () {
    const iterator = produce[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        let step: IteratorResult<Buffer>;
        try {
          step = await iterator.next();
        } catch (error) {
          finished = true;
          producerFailed = true;
          failure = error;
          throw error;
        }
        if (step.done) {
          finished = true;
          return;
        }
        yield step.value;
      }
    } finally {
      if (!finished) await iterator.return?.();
    }
  };
  try {
    return await ctx.storage.putFile(guarded(), name);
  } catch (error) {
    // the storage's own failure (a network error, a full disk) stays as it is: a retry may pass;
    // so does a system error of the producer (its input's stream reset)
    if (!producerFailed || isSystemError(failure)) throw producerFailed ? failure : error;
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
