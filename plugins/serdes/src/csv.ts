/** `io.kestra.plugin.serdes.csv.CsvToIon` and `IonToCsv`: CSV ⇄ Ion lines, streamed through internal storage. */
import { Readable, pipeline } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { stringify } from "csv-stringify";
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { fieldNamesOf, fieldOrderFor, readIonLines, toIon, IonReadError, withFieldOrder } from "@saker/sdk/ion";
import { decodeText, decoderFor, encodeText, encodingFor } from "./charset.ts";
import { storeStream } from "./store.ts";
import { cellText, isStruct } from "./cells.ts";
import { TemporalWriter, systemTimeZone } from "./dates.ts";
import { from, onBadLines, uriOutput } from "./common.ts";
import { BadRows } from "./badRows.ts";

const oneChar = (what: string, fallback: string) =>
  z.string().length(1, `${what} is one character`).default(fallback).describe(`The ${what}.`);

const MIB = 1024 * 1024;

/**
 * Kestra's header names: DROP leaves out the trailing unnamed columns (a trailing separator), but
 * only when some column has a name: a header of empty names only keeps every column, all under
 * the key `""`, so a row is `{"": <its last field>}`; RENAME names each unnamed column
 * `col_<index>`. Columns of one name share one key, the last one's value kept. Returns the names
 * of the columns written, and the warnings to log.
 */
function headerColumns(names: readonly string[], mode: "DROP" | "RENAME"): { columns: string[]; warnings: string[] } {
  if (mode === "RENAME") {
    const taken = new Set(names);
    const columns = names.map((name, index) => {
      if (name !== "") return name;
      let unique = `col_${index}`;
      for (let attempt = 2; taken.has(unique); attempt++) unique = `col_${index}_${attempt}`;
      taken.add(unique);
      return unique;
    });
    return { columns, warnings: [] };
  }
  let kept = names.length;
  while (kept > 0 && names[kept - 1] === "") kept--;
  if (kept === 0) kept = names.length;
  const columns = names.slice(0, kept);
  const warnings: string[] = [];
  if (kept < names.length)
    warnings.push(
      `Dropped ${names.length - kept} trailing unnamed header column(s); their values are not written. Set onEmptyHeader: RENAME to keep them.`,
    );
  const colliding = kept - new Set(columns).size;
  if (colliding > 0)
    warnings.push(
      `The header has ${colliding} duplicate or empty column name(s): those columns share one key and only the last value is kept. Set onEmptyHeader: RENAME to keep every column.`,
    );
  return { columns, warnings };
}

/** `\N` is null, as in Kestra (the NULL of PostgreSQL's and MySQL's text exports). */
const cell = (field: string): string | null => (field === "\\N" ? null : field);

/**
 * A row of the header's length as a struct keyed by the columns written, its fields in the
 * header's order (`order`, from fieldOrderFor: columns such as `2023` would otherwise come first).
 */
function rowOf(
  columns: readonly string[],
  order: readonly string[] | undefined,
  record: readonly string[],
): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = cell(record[i]!);
  return withFieldOrder(row, order);
}

export const CsvToIon = defineTask({
  type: "io.kestra.plugin.serdes.csv.CsvToIon",
  aliases: ["io.kestra.plugin.serdes.csv.CsvReader"],
  title: "Convert a CSV file to Ion",
  examples: [
    {
      title: "Read a semicolon-separated file downloaded earlier, skipping rows that do not fit",
      code: `id: convert\ntype: io.kestra.plugin.serdes.csv.CsvToIon\nfrom: "{{ outputs.download.uri }}"\nfieldSeparator: ";"\nonBadLines: WARN`,
    },
  ],
  description:
    "Reads a CSV file from internal storage and writes an Ion file, one row per line: a struct keyed by the header with `header: true`, a list of strings otherwise. `\\N` is null. With a header, a row whose number of fields differs from the header's is a bad line, as is a row the parser refuses: `onBadLines` says what happens to it.",
  properties: z.object({
    from,
    header: z.boolean().default(true).describe("Whether the first line names the columns."),
    fieldSeparator: oneChar("field separator character", ","),
    textDelimiter: oneChar("text delimiter character", '"'),
    skipEmptyRows: z.boolean().default(false).describe("Whether empty rows are skipped."),
    skipRows: z.number().int().min(0).default(0).describe("How many rows to skip, after the header when there is one."),
    onBadLines: onBadLines.describe(
      "What a bad line does: ERROR fails the task naming it, WARN skips it with a warning (the first 100, then a total), SKIP skips it silently.",
    ),
    onEmptyHeader: z
      .enum(["DROP", "RENAME"])
      .default("DROP")
      .describe(
        'Unnamed header columns: DROP leaves out the trailing ones (a trailing separator), with a warning, unless no column has a name (then all are kept, under the one key `""`); RENAME names each `col_<index>`.',
      ),
    errorOnDifferentFieldCount: z
      .boolean()
      .optional()
      .describe("Deprecated in Kestra and no longer used: `onBadLines` says what a row of another length does."),
    charset: z.string().default("UTF-8").describe("The charset of the CSV file."),
    maxBufferSize: z
      .number()
      .int()
      .positive()
      .default(16 * MIB)
      .describe("The most characters one row may hold; a longer one is a bad line."),
    maxFieldSize: z
      .number()
      .int()
      .positive()
      .default(16 * MIB)
      .describe("The most characters one field may hold; a row with a longer one is a bad line."),
    allowExtraCharsAfterClosingQuote: z
      .boolean()
      .default(false)
      .describe(
        'Whether characters after a closing quote (`"a"b`) are kept in the field (written as read, quotes included) instead of making the row bad.',
      ),
  }),
  outputs: uriOutput.extend({ size: z.number().int().describe("The number of rows written.") }),
  async run(p, ctx) {
    const decoder = decoderFor(p.charset);
    const source = await ctx.storage.getFile(p.from);
    const parser = parse({
      delimiter: p.fieldSeparator,
      quote: p.textDelimiter,
      skip_empty_lines: p.skipEmptyRows,
      relax_column_count: true,
      relax_quotes: p.allowExtraCharsAfterClosingQuote,
      max_record_size: p.maxBufferSize,
      skip_records_with_error: p.onBadLines !== "ERROR",
      info: true,
      bom: true,
    });
    let size = 0;
    const badRows = new BadRows(ctx.logger, p.onBadLines);
    /**
     * A bad line: fails the task (ERROR), or is skipped, with a warning for WARN (the first
     * hundred; `last`: the last line read, always said).
     */
    const badLine = (message: string, last = false) => {
      if (p.onBadLines === "ERROR") throw new NonRetryableError(`'${p.from}': ${message}`);
      if (last) badRows.lastLeftOut("Bad line skipped: {}", message);
      else badRows.leftOut("Bad line skipped: {}", message);
    };
    /**
     * After a row over maxBufferSize the parser finds no further row (it keeps the long one and
     * refuses every chunk that follows, as Kestra's reader stops there): said once, not per chunk.
     */
    let overBuffer = false;
    parser.on("skip", (error: CsvError & { lines?: number }) => {
      if (overBuffer) return;
      const where = error.lines === undefined ? "" : ` at line ${error.lines}`;
      if (error.code !== "CSV_MAX_RECORD_SIZE") return badLine(`invalid CSV${where}: ${error.message}`);
      overBuffer = true;
      badLine(
        `a row${where} holds more than maxBufferSize (${p.maxBufferSize}) characters: the rest of the file is not read`,
        true,
      );
    });
    // Errors reach the loop below through the parser; pipeline's callback only keeps them from being unhandled.
    pipeline(Readable.from(decodeText(source, decoder)), parser, () => undefined);
    async function* ionLines(): AsyncGenerator<string> {
      /** The header's number of fields and the columns written (undefined: none yet, or `header: false`). */
      let header: { fields: number; columns: string[]; order: readonly string[] | undefined } | undefined;
      let skipped = 0;
      try {
        for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
          if (p.header && !header) {
            const { columns, warnings } = headerColumns(record, p.onEmptyHeader);
            header = { fields: record.length, columns, order: fieldOrderFor(columns) };
            for (const warning of warnings) ctx.logger.warn(warning);
            continue;
          }
          if (skipped < p.skipRows) {
            skipped++;
            continue;
          }
          const long = record.findIndex((field) => field.length > p.maxFieldSize);
          const problem =
            long >= 0
              ? `: field ${long + 1} holds more than maxFieldSize (${p.maxFieldSize}) characters`
              : header && record.length !== header.fields
                ? ` has ${record.length} field(s) where the header has ${header.fields} (field count mismatch)`
                : undefined;
          if (problem) {
            badLine(`line ${info.lines}${problem}`);
            continue;
          }
          size++;
          yield `${toIon(header ? rowOf(header.columns, header.order, record) : record.map(cell))}\n`;
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
    const uri = await storeStream(ctx, "data.ion", encodeText(ionLines(), "utf8"));
    ctx.metric({ name: "records", type: "counter", value: size });
    badRows.end();
    return { uri, size };
  },
});

const QUOTE_MODES = ["ALWAYS", "REQUIRED", "NON_NUMERIC"] as const;

/**
 * A number as Kestra's NON_NUMERIC mode tells one, from the text written whatever the value's
 * type: an optional sign, then one or more of the digits 0-9 and at most one '.', so `.`, `+.` and
 * `1.` are numbers too, while a lone sign and `1e5` are not (nor is the empty text, which no mode
 * quotes). Matches the text that is not one: the text to quote.
 */
const NOT_A_NUMBER = /^(?![+-]?(?=[\d.])\d*\.?\d*$)[\s\S]/;

/** The writer's options for a quote mode (csv-stringify quotes what needs it in any case). */
function quoting(mode: (typeof QUOTE_MODES)[number]) {
  if (mode === "ALWAYS") return { quoted: true, quoted_empty: true };
  if (mode === "NON_NUMERIC") return { quoted_match: NOT_A_NUMBER };
  return { quoted: false, quoted_empty: false };
}

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
    alwaysDelimitText: z
      .boolean()
      .default(false)
      .describe("Whether every field is enclosed in the text delimiter (deprecated in Kestra: `quoteMode: ALWAYS`)."),
    quoteMode: z
      .enum(QUOTE_MODES)
      .optional()
      .describe(
        "Which fields are enclosed in the text delimiter, header included: ALWAYS (every one, empty ones too), REQUIRED (those holding the separator, the delimiter or a line break) or NON_NUMERIC (every non-empty one but numbers, told from the text whatever the value's type: a sign, digits and at most one '.', as -12, 3.5, 007 or .). Wins over `alwaysDelimitText`.",
      ),
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
        ...quoting(p.quoteMode ?? (p.alwaysDelimitText ? "ALWAYS" : "REQUIRED")),
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
              columns = [...fieldNamesOf(row)];
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
