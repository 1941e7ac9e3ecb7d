/** Writes a converted file to internal storage as it is produced: no half file is left when the conversion fails. */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { isSakerError, NonRetryableError, type RunContext } from "@saker/sdk";

/**
 * Stores the bytes `produce` yields under `name` and returns the URI. A failure while producing
 * (bad input) fails the task with that error, not a storage error; storage keeps no partial file.
 */
export async function storeStream(ctx: RunContext, name: string, produce: AsyncIterable<Buffer>): Promise<string> {
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
    throw new NonRetryableError((cause as Error).message ?? String(cause));
  }
}

/**
 * Copies a stored file into the task's working directory (through the SDK's working files, which
 * never follow a link) for readers that need random access; returns its path.
 */
export async function localCopy(ctx: RunContext, uri: string, extension: string): Promise<string> {
  const name = `${randomUUID()}${extension}`;
  await ctx.workingFiles.write({ [name]: uri });
  return join(await ctx.workingDir(), name);
}
