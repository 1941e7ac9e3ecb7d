/**
 * ION files as Kestra writes them: one Ion text value per line. Reading streams line by line and
 * writing streams value by value, so files of any size go through in constant memory.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fromIonText, toIonText } from "../expression/index.ts";

/** The lines of a stream (without their line breaks). */
export async function* lines(stream: Readable): AsyncGenerator<string> {
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of reader) yield line;
  } finally {
    reader.close();
  }
}

/** Each value of an ION file, parsed (empty lines skipped). */
export async function* ionValues(stream: Readable): AsyncGenerator<unknown> {
  for await (const line of lines(stream)) if (line.trim() !== "") yield fromIonText(line);
}

/** Ion text lines for values, to hand to `storage.putFile`. */
export async function* ionLinesOf(values: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<Buffer> {
  for await (const value of values) yield Buffer.from(`${toIonText(value)}\n`);
}
