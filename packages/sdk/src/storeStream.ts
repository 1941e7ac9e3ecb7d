/**
 * Writing a file to internal storage as a task produces it (`@saker/sdk/storeStream`): a failure
 * of the producer (bad input) fails the task with that error rather than as a storage error, and
 * storage keeps no partial file.
 */
import { errorMessage, isSakerError, NonRetryableError } from "./errors.ts";
import type { RunContext } from "./runContext.ts";

/** Stores the bytes `produce` yields under `name` and returns the URI. */
export async function storeStream(
  ctx: Pick<RunContext, "storage">,
  name: string,
  produce: AsyncIterable<Buffer>,
): Promise<string> {
  let failure: unknown;
  const guarded = async function* () {
    try {
      yield* produce;
    } catch (error) {
      failure = error;
      throw error;
    }
  };
  try {
    return await ctx.storage.putFile(guarded(), name);
  } catch (error) {
    const cause = failure ?? error;
    if (isSakerError(cause)) throw cause;
    throw new NonRetryableError(errorMessage(cause), { cause });
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
