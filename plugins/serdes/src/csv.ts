/** `io.kestra.plugin.serdes.csv.CsvToIon` and `IonToCsv`: CSV ⇄ Ion lines, streamed through internal storage. */
import { Readable, pipeline } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { stringify } from "csv-stringify";
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { readIonLines, toIon, IonReadError } from "@saker/sdk/ion";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { storeStream } from "./store.ts";
import { cellText, isStruct } from "./cells.ts";
import { TemporalWriter, systemTimeZone } from "./dates.ts";
import { from, uriOutput } from "./common.ts";

const oneChar = (what: string, fallback: string) =>
  z.string().length(1, `${what} is one character`).default(fallback).describe(`The ${what}.`);

export const CsvToIon = defineTask({
  type: "io.kestra.plugin.serdes.csv.CsvToIon",
  aliases: ["io.kestra.plugin.serdes.csv.CsvReader"],
  title: "Convert a CSV file to Ion",
  examples: [
    {
      title: "Read a semicolon-separated file downloaded earlier",
      code: `id: convert\ntype: io.kestra.plugin.serdes.csv.CsvToIon\nfrom: "{{ outputs.download.uri }}"\nfieldSeparator: ";"\nskipRows: 1`,
    },
  ],
  description:
    "Reads a CSV file from internal storage and writes an Ion file, one row per line: a struct keyed by the header with `header: true`, a list of strings otherwise.",
  properties: z.object({
    from,
    header: z.boolean().default(true).describe("Whether the first line names the columns."),
    fieldSeparator: oneChar("field separator character", ","),
    textDelimiter: oneChar("text delimiter character", '"'),
    skipEmptyRows: z.boolean().default(false).describe("Whether empty rows are skipped."),
    skipRows: z.number().int().min(0).default(0).describe("How many lines to skip at the start of the file."),
    errorOnDifferentFieldCount: z
      .boolean()
      .default(false)
      .describe("Whether a row with another number of fields than the first one fails the task."),
    charset: z.string().default("UTF-8").describe("The charset of the CSV file."),
  }),
  outputs: uriOutput,
  async run(p, ctx) {
    const decoder = decoderFor(p.charset);
    const source = await ctx.storage.getFile(p.from);
    const parser = parse({
      delimiter: p.fieldSeparator,
      quote: p.textDelimiter,
      from_line: p.skipRows + 1,
      skip_empty_lines: p.skipEmptyRows,
      relax_column_count: !p.errorOnDifferentFieldCount,
      bom: true,
    });
    // Errors reach the loop below through the parser; pipeline's callback only keeps them from being unhandled.
    pipeline(Readable.from(decodeText(source, decoder)), parser, () => undefined);
    async function* ionLines(): AsyncGenerator<string> {
      let columns: string[] | undefined;
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          if (p.header && !columns) {
            columns = record;
            continue;
          }
          if (!p.header) {
            yield `${toIon(record)}\n`;
            continue;
          }
          const row: Record<string, string | null> = {};
          for (let i = 0; i < columns!.length; i++) row[columns![i]!] = record[i] ?? null;
          yield `${toIon(row)}\n`;
        }
      } catch (error) {
        if (error instanceof CsvError) {
          const line = (error as CsvError & { lines?: number }).lines;
          throw new NonRetryableError(
            `invalid CSV in '${p.from}'${line === undefined ? "" : ` at line ${line}`}: ${error.message}`,
          );
        }
        throw error;
      }
    }
    return { uri: await storeStream(ctx, "data.ion", encodeText(ionLines(), "utf8")) };
  },
});

export const IonToCsv = defineTask({
  type: "io.kestra.plugin.serdes.csv.IonToCsv",
  aliases: ["io.kestra.plugin.serdes.csv.CsvWriter"],
  title: "Convert an Ion file to CSV",
  examples: [
    {
      title: "Write the rows a query stored as CSV",
      code: `id: convert\ntype: io.kestra.plugin.serdes.csv.IonToCsv\nfrom: "{{ outputs.query.uri }}"\nalwaysDelimitText: true`,
    },
  ],
  description:
    "Reads an Ion file (one row per line, as `fetchType: STORE` or CsvToIon write it) and writes a CSV file. The header is the fields of the first row.",
  properties: z.object({
    from,
    header: z.boolean().default(true).describe("Whether the first line names the columns."),
    fieldSeparator: oneChar("field separator character", ","),
    textDelimiter: oneChar("text delimiter character", '"'),
    lineDelimiter: z.string().min(1).default("\n").describe("The characters that end each row."),
    alwaysDelimitText: z.boolean().default(false).describe("Whether every field is enclosed in the text delimiter."),
    charset: z.string().default("UTF-8").describe("The charset of the CSV file."),
    dateFormat: z
      .string()
      .default("yyyy-MM-dd")
      .describe("Java DateTimeFormatter pattern of dates (LocalDate values)."),
    timeFormat: z
      .string()
      .default("HH:mm:ss[XXX]")
      .describe("Java DateTimeFormatter pattern of times (LocalTime, OffsetTime values)."),
    dateTimeFormat: z
      .string()
      .default("yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]")
      .describe(
        "Java DateTimeFormatter pattern of date-times: timestamps and LocalDateTime at UTC, ZonedDateTime and OffsetDateTime in `timeZoneId`.",
      ),
    timeZoneId: z
      .string()
      .optional()
      .describe("The time zone zoned date-times are written in: an IANA id or an offset (default: the worker's zone)."),
  }),
  outputs: uriOutput,
  async run(p, ctx) {
    const encoding = encodingFor(p.charset);
    const dates = new TemporalWriter({ ...p, timeZoneId: p.timeZoneId ?? systemTimeZone() });
    const source = await ctx.storage.getFile(p.from);
    async function* csvText(): AsyncGenerator<string> {
      let columns: string[] | undefined;
      const stringifier = stringify({
        delimiter: p.fieldSeparator,
        quote: p.textDelimiter,
        record_delimiter: p.lineDelimiter,
        quoted: p.alwaysDelimitText,
        quoted_empty: p.alwaysDelimitText,
        eof: true,
      });
      const out: string[] = [];
      stringifier.on("data", (chunk: Buffer | string) => out.push(chunk.toString()));
      const write = (cells: unknown[]) => {
        stringifier.write(cells);
      };
      try {
        for await (const value of readIonLines(source, { tagged: true })) {
          if (Array.isArray(value)) {
            write(value.map((v) => cellText(v, dates)));
          } else if (isStruct(value)) {
            const row = value;
            if (!columns) {
              columns = Object.keys(row);
              if (p.header) write(columns);
            }
            write(columns.map((c) => cellText(row[c], dates)));
          } else {
            write([cellText(value, dates)]);
          }
          if (out.length > 0) yield out.splice(0).join("");
        }
      } catch (error) {
        if (error instanceof IonReadError) throw new NonRetryableError(`'${p.from}': ${error.message}`);
        throw error;
      }
      stringifier.end();
      await new Promise((r) => stringifier.once("end", r));
      if (out.length > 0) yield out.splice(0).join("");
    }
    return { uri: await storeStream(ctx, "data.csv", encodeText(csvText(), encoding)) };
  },
});
