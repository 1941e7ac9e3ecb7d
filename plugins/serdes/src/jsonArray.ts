/**
 * A JSON document read as it streams: a top-level array yields its elements one by one (memory
 * holds one element at a time); any other document yields itself once. `parse` reads each one.
 * The splitting is {@link jsonValueTexts}'s; only one value is allowed beside an array.
 */
import { parseJsonInOrder } from "./jsonOrder.ts";
import { jsonValueTexts } from "./jsonScan.ts";

export async function* splitJsonArray(
  text: AsyncIterable<string>,
  parse: (json: string) => unknown = parseJsonInOrder,
): AsyncGenerator<unknown> {
  let documents = 0;
  for await (const value of jsonValueTexts(text)) {
    if (!value.element && ++documents > 1)
      throw new SyntaxError(`unexpected text after the document at line ${value.line}`);
    yield parse(value.text);
  }
}
