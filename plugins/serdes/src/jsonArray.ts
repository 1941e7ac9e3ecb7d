/**
 * A JSON document read as it streams: a top-level array yields its elements one by one (memory
 * holds one element at a time); any other document yields itself once. `parse` reads each one.
 */
import { parseJsonInOrder } from "./jsonOrder.ts";

export async function* splitJsonArray(
  text: AsyncIterable<string>,
  parse: (json: string) => unknown = parseJsonInOrder,
): AsyncGenerator<unknown> {
  let buffer = "";
  let started = false; // past the opening `[`
  let isArray = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 0;
  for await (const piece of text) {
    let i = buffer.length;
    buffer += piece;
    if (!started) {
      const t = buffer.trimStart();
      if (t === "") continue;
      started = true;
      isArray = t.startsWith("[");
      if (!isArray) continue;
      i = buffer.indexOf("[") + 1;
      start = i;
    }
    if (!isArray) continue;
    for (; i < buffer.length; i++) {
      const c = buffer[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || (c === "]" && depth > 0)) depth--;
      else if ((c === "," || c === "]") && depth === 0) {
        const element = buffer.slice(start, i).trim();
        if (element !== "") yield parse(element);
        else if (c === ",") throw new SyntaxError("empty array element");
        start = i + 1;
        if (c === "]") {
          if (buffer.slice(start).trim() !== "") throw new SyntaxError("unexpected text after the array");
          return;
        }
      }
    }
    buffer = buffer.slice(start);
    start = 0;
  }
  if (!started) return;
  if (isArray) throw new SyntaxError("the array is not closed (truncated file?)");
  yield parse(buffer);
}
