/** `io.kestra.plugin.serdes.json.JsonToIon` and `IonToJson`: JSON (lines or one array) ⇄ Ion lines. */
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import {
  FIELD_ORDER,
  fieldNamesOf,
  IonAnnotated,
  IonReadError,
  IonTimestamp,
  readIonLines,
  temporalOf,
  toIon,
} from "@saker/sdk/ion";
import { TemporalWriter, systemTimeZone, timeZone } from "./dates.ts";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { storeStream } from "./store.ts";
import { splitJsonArray } from "./jsonArray.ts";
import { parseJsonInOrder } from "./jsonOrder.ts";
import { from, sizedOutput, uriOutput } from "./common.ts";

/** The lines of a text stream, numbered from 1, without their line breaks. */
async function* lines(text: AsyncIterable<string>): AsyncGenerator<[number, string]> {
  let rest = "";
  let n = 0;
  for await (const piece of text) {
    const parts = (rest + piece).split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield [++n, part];
  }
  if (rest !== "") yield [n + 1, rest];
}

export const JsonToIon = defineTask({
  type: "io.kestra.plugin.serdes.json.JsonToIon",
  aliases: ["io.kestra.plugin.serdes.json.JsonReader"],
  title: "Convert a JSON file to Ion",
  examples: [
    {
      title: "Read a JSON array of objects",
      code: `id: convert\ntype: io.kestra.plugin.serdes.json.JsonToIon\nfrom: "{{ outputs.download.uri }}"\nnewLine: false`,
    },
  ],
  description:
    "Reads JSON from internal storage, one value per line (`newLine: true`, JSON Lines) or one document (`newLine: false`; an array gives one Ion line per element), and writes an Ion file.",
  properties: z.object({
    from,
    newLine: z
      .boolean()
      .default(true)
      .describe("Whether the file is JSON Lines (one value per line) rather than one JSON document."),
    charset: z.string().default("UTF-8").describe("The charset of the JSON file."),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const decoder = decoderFor(p.charset);
    const text = decodeText(await ctx.storage.getFile(p.from), decoder);
    let size = 0;
    async function* ionLines(): AsyncGenerator<string> {
      if (p.newLine) {
        for await (const [n, line] of lines(text)) {
          if (line.trim() === "") continue;
          let value: unknown;
          try {
            value = parseJsonInOrder(line);
          } catch (error) {
            throw new NonRetryableError(`invalid JSON in '${p.from}' at line ${n}: ${(error as Error).message}`);
          }
          size++;
          yield `${toIon(value)}\n`;
        }
        return;
      }
      try {
        for await (const value of splitJsonArray(text)) {
          size++;
          yield `${toIon(value)}\n`;
        }
      } catch (error) {
        throw new NonRetryableError(`invalid JSON in '${p.from}': ${(error as Error).message}`);
      }
    }
    const uri = await storeStream(ctx, "data.ion", encodeText(ionLines(), "utf8"));
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uri, size };
  },
});

/** Whether `v` is, or holds in its lists and structs, a struct with a {@link FIELD_ORDER}. */
function holdsOrder(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsOrder);
  if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  if (FIELD_ORDER in v) return true;
  for (const key in v) if (holdsOrder((v as Record<string, unknown>)[key])) return true;
  return false;
}

export const IonToJson = defineTask({
  type: "io.kestra.plugin.serdes.json.IonToJson",
  aliases: ["io.kestra.plugin.serdes.json.JsonWriter"],
  title: "Convert an Ion file to JSON",
  examples: [
    {
      title: "Write the rows a query stored as JSON Lines",
      code: `id: convert\ntype: io.kestra.plugin.serdes.json.IonToJson\nfrom: "{{ outputs.query.uri }}"`,
    },
  ],
  description:
    "Reads an Ion file and writes JSON: one value per line (`newLine: true`, a `.jsonl` file) or one array (`newLine: false`, a `.json` file).",
  properties: z.object({
    from,
    newLine: z.boolean().default(true).describe("Whether to write JSON Lines rather than one JSON array."),
    charset: z.string().default("UTF-8").describe("The charset of the JSON file."),
    timeZoneId: z
      .string()
      .optional()
      .describe(
        "The time zone ZonedDateTime and OffsetDateTime values are written in: an IANA id or an offset (default: the worker's zone).",
      ),
  }),
  outputs: uriOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const zone = timeZone(p.timeZoneId ?? systemTimeZone());
    const source = await ctx.storage.getFile(p.from);
    const plainJson = (v: unknown) =>
      JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
        const original = this[k];
        if (original instanceof IonTimestamp || original instanceof IonAnnotated) {
          const temporal = temporalOf(original);
          if (temporal) return TemporalWriter.jsonText(temporal, zone);
        }
        return typeof x === "bigint"
          ? x.toString()
          : Buffer.isBuffer(x)
            ? x.toString("base64")
            : x && typeof x === "object" && (x as { type?: unknown }).type === "Buffer"
              ? Buffer.from((x as { data: number[] }).data).toString("base64")
              : x;
      });
    /**
     * A value holding a struct whose fields JavaScript would reorder (named like `2023`:
     * {@link FIELD_ORDER}), at any depth, is written part by part, that struct's fields in the
     * file's order; every other value (the usual case) in one `plainJson`.
     */
    const json = (v: unknown): string => (holdsOrder(v) ? orderedJson(v) : plainJson(v));
    const orderedJson = (v: unknown): string => {
      if (Array.isArray(v))
        return `[${v.map((item) => (holdsOrder(item) ? orderedJson(item) : plainJson(item))).join(",")}]`;
      const record = v as Record<string, unknown>;
      const fields = fieldNamesOf(record).map((k) => {
        const name = JSON.stringify(k);
        const item = record[k];
        // `{"k":…}` written with the replacer (which reads the value from its holder), then the value cut out
        const text = holdsOrder(item) ? orderedJson(item) : plainJson({ [k]: item }).slice(name.length + 2, -1);
        return `${name}:${text}`;
      });
      return `{${fields.join(",")}}`;
    };
    async function* jsonText(): AsyncGenerator<string> {
      let first = true;
      if (!p.newLine) yield "[";
      try {
        for await (const value of readIonLines(source, { tagged: true })) {
          yield p.newLine ? `${json(value)}\n` : `${first ? "" : ","}${json(value)}`;
          first = false;
        }
      } catch (error) {
        if (error instanceof IonReadError) throw new NonRetryableError(`'${p.from}': ${error.message}`);
        throw error;
      }
      if (!p.newLine) yield "]";
    }
    return {
      uri: await storeStream(ctx, p.newLine ? "data.jsonl" : "data.json", encodeText(jsonText(), encoding)),
    };
  },
});
