/**
 * `io.kestra.plugin.serdes.parquet.IonToParquet` and `ParquetToIon`: Ion lines ⇄ Parquet, one
 * row group at a time (hyparquet-writer to write, hyparquet to read a row group by byte range).
 */
import { rm } from "node:fs/promises";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import * as zlib from "node:zlib";
import type { AsyncBuffer, Compressors, FileMetaData } from "hyparquet";
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { IonReadError, readIonLines } from "@saker/sdk/ion";
import {
  AvroSchemaError,
  parseAvroSchema,
  parquetSchemaOf,
  RowConverter,
  ValueError,
  type AvroRecord,
} from "./parquetSchema.ts";
import { DEFAULT_ROWS_TO_SCAN, inferSchema, parquetSchemaOf as inferredParquetSchema } from "./infer.ts";
import { rawMetadata, rawParsers, rowEmitter } from "./parquetIon.ts";
import { localCopy, storeStream } from "./store.ts";
import { systemTimeZone, TemporalParser, timeZone } from "./javaTime.ts";
import {
  DEFAULT_DATE_FORMAT,
  DEFAULT_DATETIME_FORMAT,
  DEFAULT_FALSE_VALUES,
  DEFAULT_NULL_VALUES,
  DEFAULT_TIME_FORMAT,
  DEFAULT_TRUE_VALUES,
  rowMessage,
  schemaError,
  schemaJson,
  textValues,
} from "./schemaValues.ts";
import { from, onBadLines, sizedOutput } from "./common.ts";
import { BadRows } from "./badRows.ts";

/** Rows a row group holds at most, whatever `rowGroupSize` says: it bounds the memory a conversion takes. */
export const MAX_ROWS_PER_GROUP = 100_000;

const CODECS = ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"] as const;
const zstdCompress = (zlib as unknown as { zstdCompressSync?: (input: Uint8Array) => Buffer }).zstdCompressSync;

export const IonToParquet = defineTask({
  type: "io.kestra.plugin.serdes.parquet.IonToParquet",
  aliases: ["io.kestra.plugin.serdes.parquet.ParquetWriter"],
  title: "Convert an Ion file to Parquet",
  examples: [
    {
      title: "Write the rows a query stored as a Parquet file",
      code: `id: to_parquet
type: io.kestra.plugin.serdes.parquet.IonToParquet
from: "{{ outputs.query.uri }}"
compressionCodec: SNAPPY
schema: |
  {
    "type": "record",
    "name": "Salary",
    "fields": [
      {"name": "job_title", "type": "string"},
      {"name": "avg_salary", "type": ["null", "double"]},
      {"name": "paid_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
    ]
  }`,
    },
  ],
  description:
    "Reads an Ion file (one row per line: a struct, or a list in the schema's field order) and writes a Parquet file with the columns of an Avro record schema, mapped as parquet-avro maps them. Text values are parsed to the schema's types (numbers, booleans with `trueValues`/`falseValues`, dates and times with the formats); a row that does not fit fails the task, naming the row and the field.",
  properties: z.object({
    from,
    schema: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .describe(
        "The Avro schema of the rows: a record, as JSON text (or a map). Without it, one is inferred from the first `numberOfRowsToScan` rows.",
      ),
    numberOfRowsToScan: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_ROWS_TO_SCAN)
      .describe(
        "How many rows are read to infer the schema when `schema` is not given (every row when `inferAllFields` is true).",
      ),
    compressionCodec: z
      .enum(CODECS)
      .default("GZIP")
      .describe("The compression of the column chunks. ZSTD needs a Node.js with zstd in zlib (22.15 or later)."),
    parquetVersion: z
      .enum(["V1", "V2"])
      .default("V2")
      .describe("The Parquet format version (accepted; data pages are written in the version 2 layout)."),
    rowGroupSize: z
      .number()
      .int()
      .positive()
      .default(134_217_728)
      .describe(
        `Target size of a row group in bytes (estimated from the values). A row group also ends at ${MAX_ROWS_PER_GROUP.toLocaleString("en")} rows.`,
      ),
    pageSize: z.number().int().positive().default(1_048_576).describe("Target size of a page in bytes."),
    dictionaryPageSize: z
      .number()
      .int()
      .positive()
      .default(1_048_576)
      .describe("Largest dictionary of a column chunk in bytes; beyond it the column is written without one."),
    trueValues: z
      .array(z.string())
      .default(DEFAULT_TRUE_VALUES)
      .describe("Texts read as true in a boolean field (in any field with `inferAllFields`), ignoring case."),
    falseValues: z
      .array(z.string())
      .default(DEFAULT_FALSE_VALUES)
      .describe("Texts read as false in a boolean field (in any field with `inferAllFields`), ignoring case."),
    nullValues: z
      .array(z.string())
      .default(DEFAULT_NULL_VALUES)
      .describe("Texts read as null in a nullable field (in any field with `inferAllFields`), ignoring case."),
    dateFormat: z.string().default(DEFAULT_DATE_FORMAT).describe("Format of the text of a `date` field."),
    timeFormat: z
      .string()
      .default(DEFAULT_TIME_FORMAT)
      .describe("Format of the text of a `time-millis`/`time-micros` field."),
    datetimeFormat: z
      .string()
      .default(DEFAULT_DATETIME_FORMAT)
      .describe(
        "Format of the text of a timestamp field. ISO 8601 text (as Ion timestamps are) is read whatever the format.",
      ),
    decimalSeparator: z
      .string()
      .length(1, "decimalSeparator is one character")
      .default(".")
      .describe("The decimal point of numbers written as text."),
    strictSchema: z
      .boolean()
      .default(false)
      .describe("Whether a field present in a row but not declared in the schema fails the task."),
    inferAllFields: z
      .boolean()
      .default(false)
      .describe(
        "Whether `trueValues`, `falseValues` and `nullValues` are applied to every text value, whatever its field's type (otherwise only to boolean fields, and to nullable fields for `nullValues`), as Kestra does. Without `schema`, also whether every row is read to infer it rather than the first `numberOfRowsToScan` (a file over 16 MiB is then read twice).",
      ),
    timeZoneId: z
      .string()
      .optional()
      .describe("Time zone of date-times written without an offset (default: the worker's zone)."),
    onBadLines: onBadLines.describe(
      "What a row that does not fit the schema does: fail the task (`ERROR`), or be left out with a warning (`WARN`: the first 100, then a total) or silently (`SKIP`).",
    ),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    let given: AvroRecord | undefined;
    if (p.schema !== undefined) {
      try {
        given = parseAvroSchema(schemaJson(typeof p.schema === "string" ? p.schema : JSON.stringify(p.schema)));
      } catch (error) {
        if (error instanceof AvroSchemaError) throw schemaError(error.message);
        throw error;
      }
    }
    const temporal = new TemporalParser(p, timeZone(p.timeZoneId ?? systemTimeZone()));
    const compressors: Record<string, (input: Uint8Array) => Uint8Array> = { GZIP: (input) => gzipSync(input) };
    if (p.compressionCodec === "ZSTD") {
      if (!zstdCompress)
        throw new NonRetryableError(
          `compressionCodec: ZSTD needs Node.js 22.15 or later (this worker runs ${process.version}); use SNAPPY or GZIP`,
        );
      compressors.ZSTD = (input) => zstdCompress(input);
    }
    // Loaded on first use, so that the plugin's other tasks do not load the Parquet libraries;
    // before the file is opened, so that nothing is left open if it fails.
    const { ByteWriter, ParquetWriter } = await import("hyparquet-writer");
    const prepare = (record: AvroRecord) => ({
      converter: new RowConverter(record, {
        temporal,
        values: textValues(p),
        decimalSeparator: p.decimalSeparator,
        strictSchema: p.strictSchema,
        inferAllFields: p.inferAllFields,
      }),
      schema: parquetSchemaOf(record),
      names: record.fields.map((f) => f.name),
    });
    let job: ReturnType<typeof prepare>;
    let source: AsyncIterable<Buffer>;
    if (given) {
      job = prepare(given);
      source = await ctx.storage.getFile(p.from);
    } else {
      // The rows scanned to infer the schema are read again from memory, then the rest of the file.
      const inferred = await inferSchema(ctx, {
        from: p.from,
        limit: p.inferAllFields ? Infinity : p.numberOfRowsToScan,
        hint: "; give `schema`",
        write: inferredParquetSchema,
        prepare: (json) => {
          let record: AvroRecord;
          try {
            record = parseAvroSchema(json);
          } catch (error) {
            throw new NonRetryableError(
              `the schema inferred from '${p.from}' cannot be written as Parquet: ${(error as Error).message}; give \`schema\``,
            );
          }
          return prepare(record);
        },
      });
      job = inferred.prepared;
      source = await inferred.read();
    }
    const { converter, schema, names } = job;
    let rows = 0;
    let line = 0;
    const badRows = new BadRows(ctx.logger, p.onBadLines);

    async function* parquetBytes(): AsyncGenerator<Buffer> {
      const out = new ByteWriter();
      const writer = new ParquetWriter({
        writer: out,
        schema,
        codec: p.compressionCodec,
        compressors,
        createdBy: "saker serdes IonToParquet (hyparquet-writer)",
      });
      let columns: unknown[][] = names.map(() => []);
      let buffered = 0;
      const drain = (): Buffer => {
        const bytes = Buffer.from(out.getBytes());
        out.index = 0;
        return bytes;
      };
      const flush = () => {
        writer.write({
          columnData: names.map((name, i) => ({ name, data: columns[i]! })),
          rowGroupSize: buffered,
          pageSize: p.pageSize,
          dictionarySize: p.dictionaryPageSize,
        });
        columns = names.map(() => []);
        buffered = 0;
        converter.size = 0;
      };
      try {
        for await (const value of readIonLines(source)) {
          line++;
          let values: unknown[];
          try {
            values = converter.row(value);
          } catch (error) {
            if (!(error instanceof ValueError)) throw error;
            const message = rowMessage(p.from, line, error.path, error.message);
            if (p.onBadLines === "ERROR") throw new NonRetryableError(message);
            badRows.leftOut("{} (row left out)", message);
            continue;
          }
          rows++;
          for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
          buffered++;
          if (buffered >= MAX_ROWS_PER_GROUP || converter.size >= p.rowGroupSize) {
            flush();
            yield drain();
          }
        }
      } catch (error) {
        if (error instanceof IonReadError) throw new NonRetryableError(`'${p.from}': ${error.message}`);
        throw error;
      }
      if (buffered > 0) flush();
      await writer.finish();
      yield drain();
    }
    const uri = await storeStream(ctx, "data.parquet", parquetBytes());
    ctx.metric({ name: "records", type: "counter", value: rows });
    badRows.end();
    return { uri, size: rows };
  },
});

let readCompressors: Compressors | undefined;

/** Decompression for every codec Parquet names: node's zlib where it has one, hyparquet-compressors otherwise. */
async function decompressors(): Promise<Compressors> {
  if (!readCompressors) {
    const { compressors } = await import("hyparquet-compressors");
    readCompressors = {
      ...compressors,
      GZIP: (input) => gunzipSync(input),
      BROTLI: (input) => brotliDecompressSync(input),
    };
  }
  return readCompressors;
}

export const ParquetToIon = defineTask({
  type: "io.kestra.plugin.serdes.parquet.ParquetToIon",
  aliases: ["io.kestra.plugin.serdes.parquet.ParquetReader"],
  title: "Convert a Parquet file to Ion",
  examples: [
    {
      title: "Read a downloaded Parquet file",
      code: `id: to_ion\ntype: io.kestra.plugin.serdes.parquet.ParquetToIon\nfrom: "{{ outputs.download.uri }}"`,
    },
  ],
  description:
    "Reads a Parquet file from internal storage row group by row group and writes an Ion file, one struct per row: decimals as Ion decimals, dates and timestamps as Ion timestamps, times as text, binary as blobs, lists, maps and nested groups as Ion lists and structs. Every compression codec of the format but LZO is read.",
  properties: z.object({ from }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import("hyparquet");
    const compressors = await decompressors();
    const file = await localCopy(ctx, p.from, ".parquet");
    try {
      let buffer: AsyncBuffer;
      let metadata: FileMetaData;
      try {
        buffer = await asyncBufferFromFile(file);
        metadata = await parquetMetadataAsync(buffer);
      } catch (error) {
        throw new NonRetryableError(`'${p.from}' is not a readable Parquet file: ${(error as Error).message}`);
      }
      const emit = rowEmitter(parquetSchema(metadata));
      const raw = rawMetadata(metadata);
      let rows = 0;
      async function* ionLines(): AsyncGenerator<Buffer> {
        let rowStart = 0;
        for (let g = 0; g < metadata.row_groups.length; g++) {
          const rowEnd = rowStart + Number(metadata.row_groups[g]!.num_rows);
          let objects: Record<string, unknown>[];
          try {
            objects = await parquetReadObjects({
              file: buffer,
              metadata: raw,
              rowStart,
              rowEnd,
              utf8: false,
              parsers: rawParsers,
              compressors,
            });
          } catch (error) {
            throw new NonRetryableError(
              `'${p.from}': cannot read row group ${g + 1} of ${metadata.row_groups.length}: ${(error as Error).message}`,
            );
          }
          let text = "";
          for (const row of objects) {
            text += `${emit(row)}\n`;
            if (text.length > 1 << 20) {
              yield Buffer.from(text);
              text = "";
            }
          }
          rows += objects.length;
          if (text) yield Buffer.from(text);
          rowStart = rowEnd;
        }
      }
      const uri = await storeStream(ctx, "data.ion", ionLines());
      ctx.metric({ name: "records", type: "counter", value: rows });
      return { uri, size: rows };
    } finally {
      await rm(file, { force: true });
    }
  },
});
