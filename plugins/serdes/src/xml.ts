/** `io.kestra.plugin.serdes.xml.XmlToIon` and `IonToXml`: XML ⇄ Ion lines, streamed through internal storage. */
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { IonReadError, readIonLines } from "@saker/sdk/ion";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { storeStream } from "./store.ts";
import { pointerTokens, selectXmlRecords, XmlQueryError, XmlReadError } from "./xmlRead.ts";
import { isXmlName, XmlRecordWriter } from "./xmlWrite.ts";
import { from, uriOutput } from "./common.ts";

/** Deepest element nesting read, as org.json's default. */
const MAX_DEPTH = 512;

export const XmlToIon = defineTask({
  type: "io.kestra.plugin.serdes.xml.XmlToIon",
  aliases: ["io.kestra.plugin.serdes.xml.XmlReader"],
  title: "Convert an XML file to Ion",
  examples: [
    {
      title: "One Ion line per <book> of a catalog",
      code: `id: convert\ntype: io.kestra.plugin.serdes.xml.XmlToIon\nfrom: "{{ outputs.download.uri }}"\nquery: /catalog/book`,
    },
  ],
  description:
    "Reads an XML file from internal storage and writes an Ion file. Elements become structs (attributes and child elements as fields, text as `content`, repeated elements as lists, typed numbers and booleans), as Kestra's org.json mapping does. `query` (a JSON Pointer on that mapping, such as `/catalog/book`) selects the records: a list gives one Ion line per element. The file is read as it streams and only the selected elements are built.",
  properties: z.object({
    from,
    charset: z.string().default("UTF-8").describe("The charset of the XML file."),
    query: z
      .string()
      .optional()
      .describe(
        "The path of the records in the converted document, as a JSON Pointer: `/catalog/book` gives one line per `<book>` of the root `<catalog>`; `/catalog/book/0` the first one. Without it the whole document is one line.",
      ),
    parserConfiguration: z
      .object({
        forceList: z
          .array(z.string())
          .optional()
          .describe("Names of the elements always read as lists, even when they occur once."),
      })
      .optional()
      .describe("XML parser configuration."),
  }),
  outputs: uriOutput,
  async run(p, ctx) {
    const decoder = decoderFor(p.charset);
    let tokens: string[];
    try {
      tokens = pointerTokens(p.query);
    } catch (error) {
      throw new NonRetryableError((error as Error).message);
    }
    const text = decodeText(await ctx.storage.getFile(p.from), decoder);
    const counter = { records: 0 };
    async function* ionLines(): AsyncGenerator<string> {
      try {
        yield* selectXmlRecords(text, {
          tokens,
          forceList: new Set(p.parserConfiguration?.forceList ?? []),
          maxDepth: MAX_DEPTH,
          counter,
        });
      } catch (error) {
        if (error instanceof XmlReadError) {
          throw new NonRetryableError(
            `invalid XML in '${p.from}' at line ${error.line}, column ${error.column}: ${error.message}`,
          );
        }
        if (error instanceof XmlQueryError) throw new NonRetryableError(`query '${p.query}': ${error.message}`);
        throw error;
      }
    }
    const uri = await storeStream(ctx, "data.ion", encodeText(ionLines(), "utf8"));
    ctx.metric({ name: "records", type: "counter", value: counter.records });
    return { uri };
  },
});

export const IonToXml = defineTask({
  type: "io.kestra.plugin.serdes.xml.IonToXml",
  aliases: ["io.kestra.plugin.serdes.xml.XmlWriter"],
  title: "Convert an Ion file to XML",
  examples: [
    {
      title: "Write the rows a query stored as XML",
      code: `id: convert\ntype: io.kestra.plugin.serdes.xml.IonToXml\nfrom: "{{ outputs.query.uri }}"\nrootName: orders`,
    },
  ],
  description:
    "Reads an Ion file (one value per line) and writes an indented XML file: each value is an `<item>` element under the root element, struct fields are child elements, a list is its element repeated, null is an empty element.",
  properties: z.object({
    from,
    charset: z.string().default("UTF-8").describe("The charset of the XML file."),
    rootName: z.string().default("items").describe("The name of the root element."),
    timeZoneId: z.string().optional().describe("Time zone of values without one (accepted; written as stored)."),
  }),
  outputs: uriOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    if (!isXmlName(p.rootName)) throw new NonRetryableError(`rootName '${p.rootName}' is not an XML element name`);
    const root = p.rootName;
    const writer = new XmlRecordWriter(
      encoding === "utf8" || encoding === "utf16le" ? 0x10ffff : encoding === "latin1" ? 0xff : 0x7f,
    );
    const declaration = `<?xml version='1.0' encoding='${p.charset.trim()}'?>\n`;
    const source = await ctx.storage.getFile(p.from);
    async function* xmlText(): AsyncGenerator<string> {
      let first = true;
      try {
        for await (const value of readIonLines(source)) {
          if (first) {
            yield `${declaration}<${root}>\n`;
            first = false;
          }
          yield writer.item(value);
        }
      } catch (error) {
        if (error instanceof IonReadError) throw new NonRetryableError(`'${p.from}': ${error.message}`);
        throw error;
      }
      yield first ? `${declaration}<${root}/>\n` : `</${root}>\n`;
    }
    const uri = await storeStream(ctx, "data.xml", encodeText(xmlText(), encoding));
    ctx.metric({ name: "records", type: "counter", value: writer.record });
    return { uri };
  },
});
