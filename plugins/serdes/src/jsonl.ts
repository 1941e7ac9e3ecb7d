/** `io.kestra.plugin.serdes.json.JsonToJsonl`: a JSON array (or objects one after another) to JSON Lines, streamed. */
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { from, sizedOutput } from "./common.ts";
import { compactJsonText, jsonValueTexts, type JsonValueText } from "./jsonScan.ts";
import { storeStream } from "./store.ts";

/** A short view of a value for messages. */
const preview = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

export const JsonToJsonl = defineTask({
  type: "io.kestra.plugin.serdes.json.JsonToJsonl",
  title: "Convert a JSON file to JSON Lines",
  examples: [
    {
      title: "Split the JSON array an API returned into lines, for ForEachItem",
      code: `id: json_to_jsonl\ntype: io.kestra.plugin.serdes.json.JsonToJsonl\nfrom: "{{ outputs.download.uri }}"`,
    },
  ],
  description:
    "Reads a JSON array, or JSON objects written one after another (one object, JSON Lines, pretty-printed objects), and writes one compact JSON value per line. The file is read as it streams: memory holds one value, whatever the size of the array. Values are copied as written (numbers keep all their digits).",
  properties: z.object({
    from,
    charset: z.string().default("UTF-8").describe("The charset of the files read and written."),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const decoder = decoderFor(p.charset);
    const text = decodeText(await ctx.storage.getFile(p.from), decoder);
    let size = 0;
    let skipped: JsonValueText | undefined;
    let skippedCount = 0;
    async function* lines(): AsyncGenerator<string> {
      let first = true;
      try {
        for await (const value of jsonValueTexts(text)) {
          if (!value.element && !value.text.startsWith("{")) {
            if (first)
              throw new NonRetryableError(
                `invalid JSON format in '${p.from}': expected a JSON array or object, found ${preview(value.text)} at line ${value.line}`,
              );
            skipped ??= value;
            skippedCount++;
            continue;
          }
          first = false;
          try {
            JSON.parse(value.text);
          } catch (error) {
            throw new SyntaxError(`at line ${value.line}: ${(error as Error).message}`, { cause: error });
          }
          size++;
          yield `${compactJsonText(value.text)}\n`;
        }
      } catch (error) {
        if (error instanceof SyntaxError) {
          const where = error.message.startsWith("at ") ? " " : ": ";
          throw new NonRetryableError(`invalid JSON in '${p.from}'${where}${error.message}`);
        }
        throw error;
      }
    }
    const uri = await storeStream(ctx, "data.jsonl", encodeText(lines(), encoding));
    if (skipped)
      ctx.logger.warn(
        `${skippedCount} value(s) that are not objects left out after the first object (the first at line ${skipped.line}: ${preview(skipped.text)})`,
      );
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uri, size };
  },
});
