/** `io.kestra.plugin.serdes.avro.IonToAvro` and `AvroToIon`: Ion lines ⇄ Avro object container files, streamed. */
import { Readable, pipeline } from "node:stream";
import { crc32, inflateRaw } from "node:zlib";
import avro from "avsc";
import { uncompress } from "snappyjs";
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { IonReadError, readIonLines } from "@saker/sdk/ion";
import { encodeText } from "./charset.ts";
import { storeStream } from "./store.ts";
import { avroType, parseHook, type AvroType } from "./avroTypes.ts";
import { CellError, compileRowConverter, SkipRow } from "./ionToAvro.ts";
import { compileIonWriter } from "./avroToIonText.ts";
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
import { avroSchemaOf, DEFAULT_ROWS_TO_SCAN, inferSchema } from "./infer.ts";
import { BadRows } from "./badRows.ts";

const badRecords = onBadLines.describe(
  "What a bad record does: fail the task (`ERROR`), be left out with a warning (`WARN`: the first 100, then a total) or silently (`SKIP`).",
);

/** `numberOfRowsToScan`, as Kestra has it. */
const rowsToScan = z.number().int().positive().default(DEFAULT_ROWS_TO_SCAN);

const SCHEMA_EXAMPLE = `{
  "type": "record",
  "name": "Order",
  "fields": [
    {"name": "id", "type": "long"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "note", "type": ["null", "string"], "default": null}
  ]
}`;

/** The record type of an inferred schema (its JSON). */
function inferredRecord(json: unknown, from: string): AvroType {
  try {
    return avroType(json);
  } catch (error) {
    throw new NonRetryableError(
      `the schema inferred from '${from}' cannot be written: ${(error as Error).message}; give \`schema\``,
    );
  }
}

/** The record type of the `schema` property, or a NonRetryableError naming `schema`. */
function recordSchema(text: string): AvroType {
  const json = schemaJson(text);
  let type: AvroType;
  try {
    type = avroType(json);
  } catch (error) {
    throw schemaError((error as Error).message);
  }
  if (type.typeName !== "record") throw schemaError(`the schema must be a record, not ${type.typeName}`);
  return type;
}

export const IonToAvro = defineTask({
  type: "io.kestra.plugin.serdes.avro.IonToAvro",
  aliases: ["io.kestra.plugin.serdes.avro.AvroWriter"],
  title: "Convert an Ion file to Avro",
  examples: [
    {
      title: "Write the rows of a CSV file as Avro with a schema",
      code: `id: to_avro\ntype: io.kestra.plugin.serdes.avro.IonToAvro\nfrom: "{{ outputs.csv_to_ion.uri }}"\ndatetimeFormat: "yyyy-MM-dd' 'HH:mm:ss"\nschema: |\n${SCHEMA_EXAMPLE.replace(/^/gm, "  ")}`,
    },
    {
      title: "Write the rows a query stored as Avro, the schema inferred from the first 500 rows",
      code: `id: to_avro\ntype: io.kestra.plugin.serdes.avro.IonToAvro\nfrom: "{{ outputs.query.uri }}"\nnumberOfRowsToScan: 500`,
    },
  ],
  description:
    "Reads an Ion file (one row per line) and writes an Avro object container file with the given schema, or without one a schema inferred from the first `numberOfRowsToScan` rows as InferAvroSchemaFromIon infers it. Each value is converted to its field's type: text is parsed as numbers, booleans (`trueValues`, `falseValues`), nulls (`nullValues`), dates and times (`dateFormat`, `timeFormat`, `datetimeFormat`); logical types (decimal, uuid, date, time, timestamp) are stored as Avro stores them.",
  properties: z.object({
    from,
    schema: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The Avro schema of the records: a JSON record schema, rendered (it may come from an expression). Without it, one is inferred from the first `numberOfRowsToScan` rows.",
      ),
    numberOfRowsToScan: rowsToScan.describe(
      "How many rows are read to infer the schema when `schema` is not given (every row when `inferAllFields` is true).",
    ),
    trueValues: z.array(z.string()).default(DEFAULT_TRUE_VALUES).describe("Texts read as true (ignoring case)."),
    falseValues: z.array(z.string()).default(DEFAULT_FALSE_VALUES).describe("Texts read as false (ignoring case)."),
    nullValues: z.array(z.string()).default(DEFAULT_NULL_VALUES).describe("Texts read as null (ignoring case)."),
    dateFormat: z.string().default(DEFAULT_DATE_FORMAT).describe("Java pattern of dates given as text."),
    timeFormat: z.string().default(DEFAULT_TIME_FORMAT).describe("Java pattern of times given as text."),
    datetimeFormat: z.string().default(DEFAULT_DATETIME_FORMAT).describe("Java pattern of date-times given as text."),
    decimalSeparator: z
      .string()
      .length(1, "decimalSeparator is one character")
      .default(".")
      .describe("The decimal point of numbers given as text (`,` for European data)."),
    strictSchema: z
      .boolean()
      .default(false)
      .describe("Whether a row with a field the schema does not declare fails the task."),
    inferAllFields: z
      .boolean()
      .default(false)
      .describe(
        "Whether `trueValues`, `falseValues` and `nullValues` are applied to every text value, whatever its field's type (otherwise only to boolean and null types). Without `schema`, also whether every row is read to infer it (a file over 16 MiB is then read twice).",
      ),
    timeZoneId: z
      .string()
      .optional()
      .describe("Time zone of date-times without an offset (default: the zone of the Saker process)."),
    onBadLines: badRecords,
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const given = p.schema === undefined ? undefined : recordSchema(p.schema);
    const temporal = new TemporalParser(p, timeZone(p.timeZoneId ?? systemTimeZone()));
    const badRows = new BadRows(ctx.logger, p.onBadLines);
    let n = 0; // the row being converted
    const prepare = (schema: AvroType) => ({
      schema,
      convert: compileRowConverter(schema, {
        values: textValues(p),
        temporal,
        decimalSeparator: p.decimalSeparator,
        strictSchema: p.strictSchema,
        inferAllFields: p.inferAllFields,
        onBadLines: p.onBadLines,
        warn(message) {
          badRows.warn("row {}, {}", n, message);
        },
      }),
    });
    let schema: AvroType;
    let convert: (row: unknown) => Record<string, unknown>;
    let source: AsyncIterable<Buffer>;
    if (given) {
      ({ schema, convert } = prepare(given));
      source = await ctx.storage.getFile(p.from);
    } else {
      // The rows scanned are read again from memory, then the rest of the file: it is read once.
      const inferred = await inferSchema(ctx, {
        from: p.from,
        limit: p.inferAllFields ? Infinity : p.numberOfRowsToScan,
        hint: "; give `schema`",
        write: avroSchemaOf,
        prepare: (json) => prepare(inferredRecord(json, p.from)),
      });
      ({ schema, convert } = inferred.prepared);
      source = await inferred.read();
    }
    let rows = 0;
    async function* records(): AsyncGenerator<Record<string, unknown>> {
      try {
        for await (const value of readIonLines(source)) {
          n++;
          try {
            yield convert(value);
            rows++;
          } catch (error) {
            let reason: string;
            if (error instanceof CellError)
              reason = error.path === "" ? `: ${error.message}` : `, field '${error.path}': ${error.message}`;
            else if (error instanceof SkipRow) reason = `: ${error.message}`;
            else throw error;
            if (p.onBadLines === "ERROR")
              throw new NonRetryableError(
                rowMessage(p.from, n, error instanceof CellError ? error.path : "", error.message),
              );
            badRows.leftOut("row {} left out{}", n, reason);
          }
        }
      } catch (error) {
        if (error instanceof IonReadError) throw new NonRetryableError(`'${p.from}': ${error.message}`);
        throw error;
      }
    }
    const encoder = new avro.streams.BlockEncoder(schema as never, { writeHeader: "always" } as never);
    // Errors reach storeStream through the encoder, which pipeline destroys with them.
    pipeline(Readable.from(records()), encoder, () => undefined);
    const uri = await storeStream(ctx, "data.avro", encoder as AsyncIterable<Buffer>);
    ctx.metric({ name: "records", type: "counter", value: rows });
    badRows.end();
    return { uri, size: rows };
  },
});

export const InferAvroSchemaFromIon = defineTask({
  type: "io.kestra.plugin.serdes.avro.InferAvroSchemaFromIon",
  title: "Infer an Avro schema from an Ion file",
  examples: [
    {
      title: "Infer the schema of the rows a query stored, then write them as Avro with it",
      code: `id: infer\ntype: io.kestra.plugin.serdes.avro.InferAvroSchemaFromIon\nfrom: "{{ outputs.query.uri }}"\nnumberOfRowsToScan: 100`,
    },
  ],
  description:
    "Reads the first `numberOfRowsToScan` rows of an Ion file and writes the Avro schema they give, as Kestra infers it, to an `.avsc` file: every field nullable, structs as records, lists as arrays, the types of the rows merged (a field of several types is a union of them). The file can be given to IonToAvro or IonToParquet as `schema` (`{{ read(outputs.infer.uri) }}`).",
  properties: z.object({
    from: z.string().describe("The URI of the Ion file (`kestra://…`)."),
    numberOfRowsToScan: rowsToScan.describe(
      "How many rows are read: the more, the more of the file the schema describes.",
    ),
  }),
  outputs: z.object({ uri: z.string().describe("URI of the Avro schema (`.avsc`) in internal storage.") }),
  async run(p, ctx) {
    const inferred = await inferSchema(ctx, {
      from: p.from,
      limit: p.numberOfRowsToScan,
      hint: "",
      write: avroSchemaOf,
    });
    inferred.close();
    const uri = await ctx.storage.putFile(Buffer.from(JSON.stringify(inferred.json)), "schema.avsc");
    return { uri };
  },
});

/** The largest block a codec may inflate to: a bigger one is refused (a decompression bomb). */
const MAX_BLOCK = 256 * 1024 * 1024;
type Callback = (error: Error | null, data?: Buffer) => void;

/** The codecs AvroToIon reads: null, deflate and snappy (raw Snappy then the CRC-32 of the data, big-endian). */
const CODECS = {
  null: (buf: Buffer, cb: Callback) => cb(null, buf),
  deflate: (buf: Buffer, cb: Callback) => inflateRaw(buf, { maxOutputLength: MAX_BLOCK }, cb),
  snappy: (buf: Buffer, cb: Callback) => {
    let data: Buffer;
    try {
      const u8 = uncompress(buf.subarray(0, buf.length - 4), MAX_BLOCK);
      data = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    } catch (error) {
      cb(error as Error);
      return;
    }
    if (buf.length < 4 || crc32(data) !== buf.readUInt32BE(buf.length - 4)) cb(new Error("checksum mismatch"));
    else cb(null, data);
  },
};

/**
 * avsc's BlockDecoder, told to fail on bytes left after the last whole block (a file cut short;
 * avsc itself ends quietly there), and keeping where it is for error messages.
 */
class CheckedDecoder extends avro.streams.BlockDecoder {
  /** Records decoded, whole blocks announced, blocks whose records are all decoded. */
  private records = 0;
  private blocks = 0;
  private done = 0;
  private readonly ends: number[] = [];
  private reading = false;
  /** Where the first error happened, as text. */
  where = "";

  constructor() {
    super({ parseHook, codecs: CODECS } as never);
    let total = 0;
    this.on("block", (info: { valueCount: number }) => {
      this.blocks++;
      total += info.valueCount;
      this.ends.push(total);
    });
    this.prependListener("error", () => {
      if (this.where) return;
      const internals = this as unknown as { _syncMarker: Buffer | null };
      if (!internals._syncMarker) this.where = " in its header";
      else if (this.reading) {
        const record = this.records + 1;
        while (this.ends.length > 0 && this.ends[0]! < record) {
          this.ends.shift();
          this.done++;
        }
        this.where = ` at record ${record} (block ${this.done + 1})`;
      } else this.where = ` at block ${this.blocks + 1} (after record ${this.records})`;
    });
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null) this.records++;
    return super.push(chunk, encoding);
  }

  override _read(size: number): void {
    this.reading = true;
    try {
      super._read(size);
    } finally {
      this.reading = false;
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    const internals = this as unknown as { _syncMarker: Buffer | null; _tap: { buf: Buffer; pos: number } };
    if (!internals._syncMarker) callback(new Error("the file ends inside its header (empty or cut short)"));
    else if (internals._tap.buf.length > internals._tap.pos)
      callback(new Error("the file ends inside a block (cut short)"));
    else callback();
  }
}

export const AvroToIon = defineTask({
  type: "io.kestra.plugin.serdes.avro.AvroToIon",
  aliases: ["io.kestra.plugin.serdes.avro.AvroReader"],
  title: "Convert an Avro file to Ion",
  examples: [
    {
      title: "Read an Avro file downloaded earlier",
      code: `id: to_ion\ntype: io.kestra.plugin.serdes.avro.AvroToIon\nfrom: "{{ outputs.download.uri }}"`,
    },
  ],
  description:
    "Reads an Avro object container file (codec null, deflate or snappy) and writes an Ion file, one record per line, with the schema the file holds. Dates become Ion day timestamps, timestamps UTC Ion timestamps, decimals Ion decimals, bytes blobs.",
  properties: z.object({
    from,
    onBadLines: badRecords.describe(
      "Accepted for Kestra's flows. A record that cannot be decoded always fails the task: what follows it in the file cannot be trusted.",
    ),
  }),
  outputs: sizedOutput,
  async run(p, ctx) {
    const source = await ctx.storage.getFile(p.from);
    const decoder = new CheckedDecoder();
    let writer: ((value: unknown) => string) | undefined;
    decoder.on("metadata", (type: AvroType) => {
      writer = compileIonWriter(type);
    });
    pipeline(Readable.from(source), decoder, () => undefined);
    let records = 0;
    async function* ionLines(): AsyncGenerator<string> {
      try {
        for await (const record of decoder) {
          records++;
          let line: string;
          try {
            line = writer!(record);
          } catch (error) {
            throw new NonRetryableError(`'${p.from}', record ${records}: ${(error as Error).message}`);
          }
          yield `${line}\n`;
        }
      } catch (error) {
        if (error instanceof NonRetryableError) throw error;
        const cause = (error as Error).cause as Error | undefined;
        throw new NonRetryableError(
          `invalid Avro file '${p.from}'${decoder.where}: ${(error as Error).message}${cause?.message ? ` (${cause.message})` : ""}`,
        );
      }
    }
    const uri = await storeStream(ctx, "data.ion", encodeText(ionLines(), "utf8"));
    ctx.metric({ name: "records", type: "counter", value: records });
    return { uri, size: records };
  },
});
