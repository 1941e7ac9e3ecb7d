/**
 * `io.kestra.plugin.serdes.yaml.*`: YAML ⇄ Ion and YAML ⇄ JSON, streamed one document (or record)
 * at a time, with Kestra's typing (YAML 1.1, as Jackson reads it) and layout (Jackson's YAML and
 * JSON mappers, null fields left out as they leave them out).
 */
import { defineTask, NonRetryableError, type RunContext, z } from "@saker/sdk";
import { IonReadError, readIonLines, textLines, toIon } from "@saker/sdk/ion";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { from, sizedOutput } from "./common.ts";
import { compactJson } from "./jacksonJson.ts";
import { splitJsonArray } from "./jsonArray.ts";
import { parseJsonExact } from "./jsonOrder.ts";
import { storeStream } from "./store.ts";
import { YamlReadError, yamlRecords } from "./yamlRead.ts";
import { YamlWriter } from "./yamlWrite.ts";

const charset = z.string().default("UTF-8").describe("The name of the charset of the files read and written.");

/** The records of a YAML file ({@link yamlRecords}), bad YAML failing the task with its place. */
async function* readYaml(uri: string, text: AsyncIterable<string>): AsyncGenerator<unknown> {
  try {
    yield* yamlRecords(text);
  } catch (error) {
    if (error instanceof YamlReadError)
      throw new NonRetryableError(
        `invalid YAML in '${uri}' at line ${error.line}, column ${error.column}: ${error.message}`,
      );
    throw error;
  }
}

/**
 * YAML documents of `values`, as Kestra writes them: one value is a plain document (followed by
 * `single`), several are each preceded by `---` and followed by an empty line.
 */
async function* yamlStream(
  values: AsyncIterable<unknown>,
  single: string,
  counter: { size: number },
): AsyncGenerator<string> {
  const writer = new YamlWriter();
  let held: { value: unknown } | undefined;
  for await (const value of values) {
    if (held) yield `---\n${writer.document(held.value)}\n`;
    held = { value };
    counter.size++;
  }
  if (held) yield counter.size === 1 ? writer.document(held.value) + single : `---\n${writer.document(held.value)}\n`;
}

/** Counts the records converted and stores them: the outputs and metric of a conversion. */
async function stored(
  ctx: RunContext,
  name: string,
  produce: (counter: { size: number }) => AsyncIterable<Buffer>,
): Promise<{ uri: string; size: number }> {
  const counter = { size: 0 };
  const uri = await storeStream(ctx, name, produce(counter));
  ctx.metric({ name: "records", type: "counter", value: counter.size });
  return { uri, size: counter.size };
}

export const YamlToIon = defineTask({
  type: "io.kestra.plugin.serdes.yaml.YamlToIon",
  title: "Convert a YAML file to Ion",
  examples: [
    {
      title: "One Ion line per YAML document",
      code: `id: convert\ntype: io.kestra.plugin.serdes.yaml.YamlToIon\nfrom: "{{ outputs.write_yaml.uri }}"`,
    },
  ],
  description:
    "Reads a YAML file and writes an Ion file with one value per document (documents separated by `---`); a first document that is a list gives one value per item. Scalars are typed as YAML 1.1 types them (`yes` is true, `1.0` a float, dates stay strings). The file is read as it streams.",
  properties: z.object({ from, charset }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const decoder = decoderFor(p.charset);
    const text = decodeText(await ctx.storage.getFile(p.from), decoder);
    return stored(ctx, "data.ion", (counter) =>
      encodeText(
        (async function* () {
          for await (const record of readYaml(p.from, text)) {
            counter.size++;
            yield `${toIon(record)}\n`;
          }
        })(),
        "utf8",
      ),
    );
  },
});

export const IonToYaml = defineTask({
  type: "io.kestra.plugin.serdes.yaml.IonToYaml",
  title: "Convert an Ion file to YAML",
  examples: [
    {
      title: "Write the rows a query stored as YAML documents",
      code: `id: to_yaml\ntype: io.kestra.plugin.serdes.yaml.IonToYaml\nfrom: "{{ outputs.query.uri }}"`,
    },
  ],
  description:
    "Reads an Ion file and writes YAML: one value is a plain document; several are a multi-document stream, each document preceded by `---`. Fields whose value is null are left out, as Kestra's YAML mapper leaves them out.",
  properties: z.object({ from, charset }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const source = await ctx.storage.getFile(p.from);
    async function* values(): AsyncGenerator<unknown> {
      try {
        yield* readIonLines(source, { tagged: true, acrossLines: true });
      } catch (error) {
        if (error instanceof IonReadError) throw new NonRetryableError(`'${p.from}': ${error.message}`);
        throw error;
      }
    }
    return stored(ctx, "data.yaml", (counter) => encodeText(yamlStream(values(), "\n", counter), encoding));
  },
});

export const YamlToJson = defineTask({
  type: "io.kestra.plugin.serdes.yaml.YamlToJson",
  title: "Convert a YAML file to JSON or JSON Lines",
  examples: [
    {
      title: "One JSON line per YAML document",
      code: `id: to_jsonl\ntype: io.kestra.plugin.serdes.yaml.YamlToJson\nfrom: "{{ outputs.write_yaml.uri }}"\njsonl: true`,
    },
  ],
  description:
    "Reads a YAML file and writes JSON. With `jsonl: true`, one JSON line per document (a `.jsonl` file); otherwise one document (a `.json` file): a single document as itself, several (or a list) as an array, none as `{}`. Fields whose value is null are left out, as Kestra's JSON mapper leaves them out.",
  properties: z.object({
    from,
    charset,
    jsonl: z.boolean().default(false).describe("Whether to write one JSON value per line rather than one document."),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const decoder = decoderFor(p.charset);
    const text = decodeText(await ctx.storage.getFile(p.from), decoder);
    const json = (value: unknown) => compactJson(value, true);
    async function* jsonText(counter: { size: number }): AsyncGenerator<string> {
      if (p.jsonl) {
        for await (const record of readYaml(p.from, text)) {
          counter.size++;
          yield `${json(record)}\n`;
        }
        return;
      }
      let first: { value: unknown } | undefined;
      for await (const record of readYaml(p.from, text)) {
        counter.size++;
        if (!first) first = { value: record };
        else if (counter.size === 2) yield `[${json(first.value)},${json(record)}`;
        else yield `,${json(record)}`;
      }
      if (!first) yield "{}";
      else if (counter.size > 1) yield "]";
      else yield Array.isArray(first.value) ? `[${json(first.value)}]` : json(first.value);
    }
    return stored(ctx, p.jsonl ? "data.jsonl" : "data.json", (counter) => encodeText(jsonText(counter), encoding));
  },
});

export const JsonToYaml = defineTask({
  type: "io.kestra.plugin.serdes.yaml.JsonToYaml",
  title: "Convert a JSON or JSON Lines file to YAML",
  examples: [
    {
      title: "Convert JSON Lines to a multi-document YAML file",
      code: `id: to_yaml\ntype: io.kestra.plugin.serdes.yaml.JsonToYaml\nfrom: "{{ outputs.write_jsonl.uri }}"\njsonl: true`,
    },
  ],
  description:
    "Reads JSON (one document, or JSON Lines with `jsonl: true`) and writes YAML: a single value is a plain document; an array's elements, or several lines, are a multi-document stream separated by `---`. Fields whose value is null are left out, as Kestra's YAML mapper leaves them out. Arrays and lines are read as they stream.",
  properties: z.object({
    from,
    charset,
    jsonl: z
      .boolean()
      .default(false)
      .describe("Whether the file is JSON Lines: each line a JSON value, each value a YAML document."),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const decoder = decoderFor(p.charset);
    const text = decodeText(await ctx.storage.getFile(p.from), decoder);
    async function* values(): AsyncGenerator<unknown> {
      if (p.jsonl) {
        let n = 0;
        for await (const line of textLines(text)) {
          n++;
          if (line.trim() === "") continue;
          let value: unknown;
          try {
            value = parseJsonExact(line);
          } catch (error) {
            throw new NonRetryableError(`invalid JSON in '${p.from}' at line ${n}: ${(error as Error).message}`);
          }
          if (value !== null) yield value;
        }
        return;
      }
      try {
        for await (const value of splitJsonArray(text, parseJsonExact)) if (value !== null) yield value;
      } catch (error) {
        if (error instanceof SyntaxError)
          throw new NonRetryableError(`invalid JSON in '${p.from}': ${(error as Error).message}`);
        throw error;
      }
    }
    return stored(ctx, "data.yaml", (counter) => encodeText(yamlStream(values(), "", counter), encoding));
  },
});
