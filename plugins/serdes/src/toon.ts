/**
 * `io.kestra.plugin.serdes.json.JsonToToon` and `ToonToJson`: JSON ⇄ TOON (Token-Oriented Object
 * Notation), with `@toon-format/toon`, the reference implementation of the TOON specification.
 */
import { decodeStream, encodeLines, rawString, ToonDecodeError } from "@toon-format/toon";
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { fieldNamesOf, textLines } from "@saker/sdk/ion";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { from, sizedOutput } from "./common.ts";
import { PrettyJsonWriter } from "./jacksonJson.ts";
import { parseJsonExact } from "./jsonOrder.ts";
import { storeStream } from "./store.ts";
import { JavaDouble, plainDecimalText, recordOf } from "./values.ts";

const charset = z.string().default("UTF-8").describe("The charset of the files read and written.");

/** A value as the TOON encoder takes it, numbers in their canonical decimal form as Kestra writes them (no exponent, all digits). */
function toonValue(value: unknown): unknown {
  if (value instanceof JavaDouble) return toonValue(value.value);
  if (typeof value === "bigint") return rawString(value.toString());
  if (typeof value === "number") return /e/.test(String(value)) ? rawString(plainDecimalText(value)) : value;
  if (Array.isArray(value)) return value.map(toonValue);
  const record = recordOf(value);
  if (!record) return value;
  const out: Record<string, unknown> = {};
  for (const key of fieldNamesOf(record))
    Object.defineProperty(out, key, { value: toonValue(record[key]), enumerable: true, writable: true });
  return out;
}

export const JsonToToon = defineTask({
  type: "io.kestra.plugin.serdes.json.JsonToToon",
  title: "Convert a JSON file to TOON",
  examples: [
    {
      title: "Convert a JSON document to TOON, for a language model",
      code: `id: to_toon\ntype: io.kestra.plugin.serdes.json.JsonToToon\nfrom: "{{ outputs.create_json.uri }}"`,
    },
  ],
  description:
    "Reads one JSON document and writes it as TOON (Token-Oriented Object Notation, https://github.com/toon-format/spec): indentation instead of braces, minimal quoting, arrays of uniform objects as tables (`products[2]{id,name}:`). The document is read whole, as Kestra reads it; the TOON text is written as it is produced.",
  properties: z.object({ from, charset }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const decoder = decoderFor(p.charset);
    let json = "";
    for await (const piece of decodeText(await ctx.storage.getFile(p.from), decoder)) json += piece;
    if (json.trim() === "") throw new NonRetryableError(`invalid JSON in '${p.from}': the file is empty`);
    let value: unknown;
    try {
      value = parseJsonExact(json);
    } catch (error) {
      throw new NonRetryableError(`invalid JSON in '${p.from}': ${(error as Error).message}`);
    }
    const size = Array.isArray(value) ? value.length : 1;
    async function* toon(): AsyncGenerator<string> {
      let first = true;
      try {
        for (const line of encodeLines(toonValue(value))) {
          yield first ? line : `\n${line}`;
          first = false;
        }
      } catch (error) {
        throw new NonRetryableError(`cannot write '${p.from}' as TOON: ${(error as Error).message}`);
      }
    }
    const uri = await storeStream(ctx, "data.toon", encodeText(toon(), encoding));
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uri, size };
  },
});

export const ToonToJson = defineTask({
  type: "io.kestra.plugin.serdes.json.ToonToJson",
  title: "Convert a TOON file to JSON",
  examples: [
    {
      title: "Convert TOON to JSON",
      code: `id: to_json\ntype: io.kestra.plugin.serdes.json.ToonToJson\nfrom: "{{ outputs.create_toon.uri }}"`,
    },
  ],
  description:
    "Reads a TOON file (tables, inline and list arrays, nested objects) and writes its JSON document, indented as Kestra writes it (Jackson's pretty printer). The file is read as it streams and checked strictly: array lengths and table rows must match their headers. Output `size` counts the items of every array.",
  properties: z.object({ from, charset }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const decoder = decoderFor(p.charset);
    const lines = textLines(decodeText(await ctx.storage.getFile(p.from), decoder));
    let size = 0;
    async function* json(): AsyncGenerator<string> {
      const writer = new PrettyJsonWriter();
      const inArray: boolean[] = [];
      const item = () => {
        if (inArray.at(-1)) size++;
      };
      try {
        for await (const event of decodeStream(lines)) {
          switch (event.type) {
            case "startObject":
              item();
              inArray.push(false);
              yield writer.startObject();
              break;
            case "endObject":
              inArray.pop();
              yield writer.endObject();
              break;
            case "startArray":
              item();
              inArray.push(true);
              yield writer.startArray();
              break;
            case "endArray":
              inArray.pop();
              yield writer.endArray();
              break;
            case "key":
              yield writer.key(event.key);
              break;
            case "primitive":
              item();
              yield typeof event.value === "number"
                ? writer.raw(plainDecimalText(event.value))
                : writer.scalar(event.value);
          }
        }
      } catch (error) {
        if (error instanceof ToonDecodeError) {
          const message = error.message.replace(/^Line \d+: /, "");
          const where = error.line === undefined ? "" : ` at line ${error.line}`;
          throw new NonRetryableError(`invalid TOON in '${p.from}'${where}: ${message}`);
        }
        throw error;
      }
    }
    const uri = await storeStream(ctx, "data.json", encodeText(json(), encoding));
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uri, size };
  },
});
