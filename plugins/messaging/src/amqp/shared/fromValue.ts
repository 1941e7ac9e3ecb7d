/**
 * Kestra's `from` (its `Data.From`): a `kestra://` URI of an Ion file with one item per line, one
 * map, or a list of maps. Items are read lazily so a large file is never held in memory.
 */
import { NonRetryableError, type TaskStorage } from "@saker/sdk";
import { readIonLines } from "@saker/sdk/ion";

export async function* fromItems(from: unknown, storage: Pick<TaskStorage, "getFile">): AsyncGenerator<unknown> {
  if (typeof from === "string") {
    const uri = from.trim();
    if (!uri.startsWith("kestra://"))
      throw new NonRetryableError(
        `from must be a kestra:// URI of an Ion file, a map or a list of maps; got the text ${JSON.stringify(uri.slice(0, 80))}`,
      );
    yield* readIonLines(await storage.getFile(uri));
    return;
  }
  if (Array.isArray(from)) {
    yield* from;
    return;
  }
  if (from && typeof from === "object") {
    yield from;
    return;
  }
  throw new NonRetryableError("from must be a kestra:// URI of an Ion file, a map or a list of maps");
}
