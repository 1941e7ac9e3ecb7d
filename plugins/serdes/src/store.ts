/** Files of internal storage for the converters: written as produced (`storeStream`, no half file on failure), or copied locally for random access. */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { RunContext } from "@saker/sdk";

export { storeStream } from "@saker/sdk/storeStream";

/**
 * Copies a stored file into the task's working directory (through the SDK's working files, which
 * never follow a link) for readers that need random access; returns its path.
 */
export async function localCopy(ctx: RunContext, uri: string, extension: string): Promise<string> {
  const name = `${randomUUID()}${extension}`;
  await ctx.workingFiles.write({ [name]: uri });
  return join(await ctx.workingDir(), name);
}
