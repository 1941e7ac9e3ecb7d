/**
 * Kestra's `from` property of the producing tasks (`Data.From`): one message (a map, or a plain
 * value for the families that send values), a list of them, or the `kestra://` URI of an Ion file
 * holding one per line. Read as a stream, so a file of any size is never loaded whole.
 */
import { NonRetryableError, z, type TaskStorage } from "@saker/sdk";
import { IonReadError, readIonLines } from "@saker/sdk/ion";

/**
 * The chunks of a file regrouped so that each ends with a line break (the last one may not):
 * the Ion reader then never rescans a long line chunk after chunk, so a message of tens of
 * megabytes is read in linear time.
 */
async function* wholeLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const piece of source) {
    const chunk = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) {
      pending.push(chunk);
      continue;
    }
    pending.push(chunk.subarray(0, end + 1));
    yield pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = end + 1 < chunk.length ? [chunk.subarray(end + 1)] : [];
  }
  if (pending.length) yield Buffer.concat(pending);
}

/** The `from` property: a URI, a message or a list of messages. */
export const fromProperty = z
  .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .describe(
    "What to send: one message, a list of messages, or the `kestra://` URI of an Ion file with one message per line.",
  );

/**
 * The messages `from` holds, in order. A string starting with `kestra://` is read from storage;
 * `parseJsonList` (Redis' rule) reads any other string that is a JSON array as that list; else a
 * string is a single message.
 */
export async function* readFrom(
  from: unknown,
  storage: Pick<TaskStorage, "getFile">,
  options: { parseJsonList?: boolean } = {},
): AsyncGenerator<unknown> {
  if (Array.isArray(from)) {
    yield* from;
    return;
  }
  if (typeof from === "string") {
    const text = from.trim();
    if (text.startsWith("kestra://")) {
      try {
        yield* readIonLines(wholeLines(await storage.getFile(text)));
      } catch (error) {
        if (error instanceof IonReadError)
          throw new NonRetryableError(`'from' (${text}) is not an Ion file: ${error.message}`);
        throw error;
      }
      return;
    }
    if (options.parseJsonList && text.startsWith("[")) {
      try {
        const list: unknown = JSON.parse(text);
        if (Array.isArray(list)) {
          yield* list;
          return;
        }
      } catch {
        // Not JSON: a single message.
      }
    }
  }
  yield from;
}
