/**
 * The schema inference alone (infer.ts), on Ion rows. The expected schemas are what Kestra's
 * InferAvroSchema gives for the same rows (its class run against Java Avro 1.12.1, the version
 * Kestra's serdes plugin uses, with the values Kestra's Ion reader makes of the rows), compared
 * as text: field order, union order, docs and defaults included. Where Saker does otherwise on
 * purpose, the test says what Kestra gives.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { NonRetryableError } from "@saker/sdk";
import {
  avroSchemaOf,
  inferSchema,
  InferError,
  MAX_REPLAY_BYTES,
  parquetSchemaOf,
  readNodes,
  scanIon,
  SchemaInference,
} from "./infer.ts";

const NS = "io.kestra.plugin.serdes.avro";

/** The inferred schema of Ion rows (one per line), as the JSON text written. */
function inferred(text: string, rows = 100): string {
  const inference = new SchemaInference();
  for (const node of readNodes(text).slice(0, rows)) inference.add(node, "x");
  return JSON.stringify(avroSchemaOf(inference.result()!));
}

const root = (fields: string) => `{"type":"record","name":"root","namespace":"${NS}","fields":[${fields}]}`;

describe("schema inference, as Kestra's", () => {
  it("one row: every field the union of null and its type, with an empty doc and a null default", () => {
    expect(inferred("{i:1,price:12.30}")).toBe(
      root(
        '{"name":"i","type":["null","int"],"doc":"","default":null},{"name":"price","type":["null","string"],"doc":"","default":null}',
      ),
    );
    // Times, blobs and date-times: Kestra's Ion reader gives LocalTime, OffsetTime, byte[], ZonedDateTime, Instant.
    expect(
      inferred(
        '{t:LocalTime::"10:00",b:{{aGk=}},o:OffsetTime::"10:00+01:00",z:ZonedDateTime::"2024-01-01T10:00+01:00[Europe/Paris]",inst:Instant::"2024-01-01T10:00:00Z"}',
      ),
    ).toBe(
      root(
        [
          '{"name":"t","type":["null",{"type":"int","logicalType":"time-millis"}],"doc":"","default":null}',
          '{"name":"b","type":["null","bytes"],"doc":"","default":null}',
          '{"name":"o","type":["null",{"type":"int","logicalType":"time-millis"}],"doc":"","default":null}',
          '{"name":"z","type":["null",{"type":"long","logicalType":"local-timestamp-millis"}],"doc":"","default":null}',
          '{"name":"inst","type":["null",{"type":"long","logicalType":"local-timestamp-millis"}],"doc":"","default":null}',
        ].join(","),
      ),
    );
  });

  it("nested structs are records named after their field; names used twice in one schema (Kestra's test)", () => {
    expect(
      inferred(
        '{myField:"hey",firstObject:{myField:{myNestedField:"heya"},myNestedObject:{myField:"heyo"}},secondObject:{myField:"heyu"}}',
      ),
    ).toBe(
      root(
        [
          '{"name":"myField","type":["null","string"],"doc":"","default":null}',
          '{"name":"firstObject","type":[{"type":"record","name":"firstObject","fields":[{"name":"myField","type":[{"type":"record","name":"myField","fields":[{"name":"myNestedField","type":["null","string"],"doc":"","default":null}]},"null"]},{"name":"myNestedObject","type":[{"type":"record","name":"myNestedObject","fields":[{"name":"myField","type":["null","string"],"doc":"","default":null}]},"null"]}]},"null"]}',
          '{"name":"secondObject","type":[{"type":"record","name":"secondObject","fields":[{"name":"myField","type":["null","string"],"doc":"","default":null}]},"null"]}',
        ].join(","),
      ),
    );
  });

  it("several rows: types gathered in order of appearance into unions; fields merged, losing docs and defaults", () => {
    expect(inferred('{a:1}\n{a:1.5e0}\n{a:"x"}')).toBe(root('{"name":"a","type":["null","int","double","string"]}'));
    expect(inferred('{a:1,b:{x:1}}\n{a:"x",b:"s"}')).toBe(
      root(
        '{"name":"a","type":["null","int","string"]},{"name":"b","type":[{"type":"record","name":"b","fields":[{"name":"x","type":["null","int"],"doc":"","default":null}]},"null","string"]}',
      ),
    );
    // A struct whose fields differ between rows is one record of all of them, after null.
    expect(inferred('{a:1,b:{x:1}}\n{b:{y:"s"}}\n{c:true}')).toBe(
      root(
        '{"name":"a","type":["null","int"]},{"name":"b","type":["null",{"type":"record","name":"b","fields":[{"name":"x","type":["null","int"]},{"name":"y","type":["null","string"]}]}]},{"name":"c","type":["null","boolean"]}',
      ),
    );
    expect(inferred("{a:{x:1}}\n{a:{x:1}}\n{a:{x:1,y:2}}\n{a:null}")).toBe(
      root(
        '{"name":"a","type":["null",{"type":"record","name":"a","fields":[{"name":"x","type":["null","int"]},{"name":"y","type":["null","int"]}]}]}',
      ),
    );
    // A field null in every row is of type null; null then a value is the value's union.
    expect(inferred("{a:null}\n{a:null}")).toBe(root('{"name":"a","type":"null"}'));
    expect(inferred("{a:null}\n{a:1}\n{a:null}")).toBe(root('{"name":"a","type":["null","int"]}'));
    // Kestra's test of rows missing fields, the first one or one in the middle.
    const missing = root(
      '{"name":"id","type":["null","int"]},{"name":"str1","type":["null","string"]},{"name":"labels","type":[{"type":"array","items":["null","string"]},"null"]},{"name":"data1","type":[{"type":"record","name":"data1","fields":[{"name":"field1","type":["null","string"],"doc":"","default":null}]},"null"]}',
    );
    const full = (n: number) => `{id:${n},str1:"my string${n}",labels:["lab${n}"],data1:{field1:"hey"}}`;
    expect(inferred(`{}\n${full(1)}\n${full(2)}`)).toBe(missing);
    expect(inferred(`${full(1)}\n{}\n${full(2)}`)).toBe(missing);
    // Only the rows asked for are read.
    expect(inferred('{a:1}\n{a:"x"}\n{b:2}', 1)).toBe(
      root('{"name":"a","type":["null","int"],"doc":"","default":null}'),
    );
  });

  it("lists: arrays of their items' type, an empty one of strings; a row that is a list is the record root of `value`", () => {
    expect(inferred("{l:[1]}\n{l:[]}\n{l:[2]}")).toBe(
      root('{"name":"l","type":["null",{"type":"array","items":["null","int"]}]}'),
    );
    expect(inferred('{l:[]}\n{l:["a"]}')).toBe(root('{"name":"l","type":["null",{"type":"array","items":"string"}]}'));
    // Items of one list merged, a struct's fields in the order they came (Kestra's test, and a second row).
    expect(inferred('{myArray:[{myName:"one"},{myName:"two",anAdditionalField:"hey"},{myName:"three"}]}')).toBe(
      root(
        '{"name":"myArray","type":[{"type":"array","items":["null",{"type":"record","name":"myArray_items","fields":[{"name":"myName","type":["null","string"]},{"name":"anAdditionalField","type":["null","string"]}]}]},"null"]}',
      ),
    );
    expect(inferred('{l:[{a:1},{b:"x"}]}\n{l:[{a:2}]}')).toBe(
      root(
        '{"name":"l","type":["null",{"type":"array","items":["null",{"type":"record","name":"l_items","fields":[{"name":"b","type":["null","string"]},{"name":"a","type":["null","int"]}]}]}]}',
      ),
    );
    expect(inferred('["one","two"]\n["three"]')).toBe(
      root('{"name":"value","type":{"type":"array","items":["null","string"]}}'),
    );
  });

  it("differs from Kestra where Kestra fails or gives a schema that leaves values out", () => {
    // Ints past 32 bits: Kestra fails ("Unhandled node"); long here, and an int column with one is long.
    expect(inferred("{big:3000000000}")).toBe(root('{"name":"big","type":["null","long"],"doc":"","default":null}'));
    expect(inferred("{big:1}\n{big:-9007199254740993}\n{big:2}")).toBe(root('{"name":"big","type":["null","long"]}'));
    // Past 64 bits: text.
    expect(inferred("{big:99999999999999999999}")).toContain('"type":["null","string"]');
    // The lists of two rows holding other items: Kestra keeps the first row's list, leaving `b` out.
    expect(inferred("{l:[{a:1}]}\n{l:[{a:1,b:2}]}")).toBe(
      root(
        '{"name":"l","type":["null",{"type":"array","items":["null",{"type":"record","name":"l_items","fields":[{"name":"a","type":["null","int"]},{"name":"b","type":["null","int"]}]}]}]}',
      ),
    );
    // Kestra: ["null","string"], the int left out.
    expect(inferred('["a"]\n["b",1]')).toBe(
      root('{"name":"value","type":{"type":"array","items":["null","string","int"]}}'),
    );
    // Two different structs named alike: Kestra names the second after the first ("b"), so that
    // the schema reads the second with the first's fields. Here the second is b_2.
    expect(inferred("{a:{b:{c:1}},x:{b:{d:1}}}")).toBe(
      root(
        '{"name":"a","type":[{"type":"record","name":"a","fields":[{"name":"b","type":[{"type":"record","name":"b","fields":[{"name":"c","type":["null","int"],"doc":"","default":null}]},"null"]}]},"null"]},{"name":"x","type":[{"type":"record","name":"x","fields":[{"name":"b","type":[{"type":"record","name":"b_2","fields":[{"name":"d","type":["null","int"],"doc":"","default":null}]},"null"]}]},"null"]}',
      ),
    );
    // Alike, they are one, named once (as in Kestra).
    expect(inferred("{a:{b:{c:1}},x:{b:{c:1}}}")).toContain('{"name":"b","type":["b","null"]}');
    // A field that is a struct, a list and text: Kestra fails ("Duplicate in union: array").
    expect(inferred('{a:{x:1}}\n{a:[1]}\n{a:"s"}\n{a:{y:2}}\n{a:[2.5e0]}')).toBe(
      root(
        '{"name":"a","type":["null","string",{"type":"record","name":"a","fields":[{"name":"x","type":["null","int"]},{"name":"y","type":["null","int"]}]},{"type":"array","items":["null","int","double"]}]}',
      ),
    );
  });

  it("fails as Kestra does on what Avro cannot hold, saying where", () => {
    // Kestra: "Duplicate in union:int".
    expect(() => inferred("{d:2024-01-15}\n{d:5}")).toThrow(
      new InferError("'d' holds date and int values, which one Avro union cannot hold (both are Avro ints)"),
    );
    expect(() => inferred('{a:{"order id":1}}')).toThrow(/the field name 'a\.order id' is not an Avro name/);
    const inference = new SchemaInference();
    expect(() => inference.add(readNodes("42")[0]!, "3 of 'f'")).toThrow(
      /line 3 of 'f' is not a struct or a list but a value of type int/,
    );
  });

  it("timestamps: at midnight UTC or without a time a date (Kestra's Ion reader makes them LocalDate), else a timestamp", () => {
    const types = (text: string) =>
      (JSON.parse(inferred(text)) as { fields: { type: unknown }[] }).fields.map((f) => JSON.stringify(f.type));
    const date = '["null",{"type":"int","logicalType":"date"}]';
    const timestamp = '["null",{"type":"long","logicalType":"local-timestamp-millis"}]';
    expect(
      types(
        "{a:2024-01-15,b:2024-01-15T00:00Z,c:2024-01-15T00:00:00.000-00:00,d:2024-01-15T00:00:00+02:00,e:2024-01-15T00:00:00.0001Z,f:2024T}",
      ),
    ).toEqual([date, date, date, timestamp, timestamp, '["null","string"]']);
  });

  it("gives IonToParquet one type per field: unions of several types become the widest number, a timestamp or text", () => {
    const inference = new SchemaInference();
    for (const node of readNodes(
      '{a:1,b:1,c:2024-01-01,d:{x:1},n:null,l:[1],at:2024-01-01T10:00:00Z}\n{a:3000000000,b:1.5e0,c:2024-01-01T10:00:00Z,d:"s",n:null,l:[]}',
    ))
      inference.add(node, "x");
    expect(parquetSchemaOf(inference.result()!)).toEqual({
      type: "record",
      name: "root",
      namespace: NS,
      fields: [
        { name: "a", type: ["null", "long"], default: null },
        { name: "b", type: ["null", "double"], default: null },
        { name: "c", type: ["null", { type: "long", logicalType: "timestamp-micros" }], default: null },
        { name: "d", type: ["null", "string"], default: null },
        { name: "n", type: ["null", "string"], default: null },
        { name: "l", type: ["null", { type: "array", items: ["null", "int"] }], default: null },
        { name: "at", type: ["null", { type: "long", logicalType: "timestamp-micros" }], default: null },
      ],
    });
  });
});

/** A source of Ion text in chunks of `size` bytes that counts the chunks read. */
function chunked(text: string, size: number): { source: Readable; read: () => number } {
  const bytes = Buffer.from(text);
  let read = 0;
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) {
        read++;
        yield bytes.subarray(i, i + size);
      }
    })(),
  );
  return { source, read: () => read };
}

async function collect(replay: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of replay) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe("scanIon", () => {
  const rows = Array.from({ length: 1000 }, (_, i) => `{n:${i},s:"r\u00e9ow ${i}"}`).join("\n");

  it("reads only the chunks that hold the rows scanned, then gives the whole file back once", async () => {
    const { source, read } = chunked(rows, 97);
    const scan = await scanIon(source, 3, "'f'");
    expect(scan.rows).toBe(3);
    expect(read()).toBeLessThanOrEqual(2);
    // Chunks cut UTF-8 characters in two: the replay is the bytes as they came.
    expect(await collect(scan.replay!)).toBe(rows);
    expect(source.destroyed).toBe(true);
  });

  it("reads a file smaller than the rows asked for to its end; numbers lines as the row reader does", async () => {
    const scan = await scanIon(chunked("\n{a:1}\n\n{a:2} {a:3}", 4).source, 100, "'f'");
    expect(scan.rows).toBe(3);
    expect(await collect(scan.replay!)).toBe("\n{a:1}\n\n{a:2} {a:3}");
    await expect(scanIon(chunked("\n{a:1}\n\n{a:\n", 4).source, 100, "'f'")).rejects.toThrow(
      /^'f': invalid Ion at line 4: /,
    );
    await expect(scanIon(chunked("{a:1}\n[]\n7\n", 4).source, 100, "'f'")).rejects.toThrow(
      "cannot infer a schema: line 3 of 'f' is not a struct or a list but a value of type int",
    );
    await expect(scanIon(chunked(" \n\n", 4).source, 100, "'f'")).rejects.toThrow(
      "cannot infer a schema: 'f' has no rows",
    );
  });

  it("keeps no more than MAX_REPLAY_BYTES: beyond, the file is to be read again", async () => {
    const line = `{s:"${"x".repeat(1024 * 1024)}"}\n`;
    const { source } = chunked(line.repeat(Math.ceil(MAX_REPLAY_BYTES / line.length) + 1), 65536);
    const scan = await scanIon(source, Infinity, "'f'");
    expect(scan.replay).toBeUndefined();
    expect(source.destroyed).toBe(true);
  });

  it("reads a row of several MB given in small chunks, each chunk searched once for line ends", async () => {
    const long = "é".repeat(2 * 1024 * 1024);
    const text = `{s:"${long}",n:1}\n{n:2}`;
    const scan = await scanIon(chunked(text, 1000).source, 100, "'f'");
    expect(scan.rows).toBe(2);
    expect(JSON.stringify(avroSchemaOf(scan.root))).toBe(
      `{"type":"record","name":"root","namespace":"${NS}","fields":[{"name":"s","type":["null","string"]},{"name":"n","type":["null","int"]}]}`,
    );
    expect(await collect(scan.replay!)).toBe(text);
  });
});

describe("inferSchema", () => {
  /** A task's context over one file, given in chunks, with the info lines it logs. */
  function context(text: string) {
    const sources: Readable[] = [];
    const logged: string[] = [];
    const ctx = {
      storage: {
        getFile: async () => {
          sources.push(chunked(text, 4).source);
          return sources.at(-1)!;
        },
      },
      logger: { info: (message: string, ...args: unknown[]) => logged.push(`${message} ${args.join(" ")}`) },
    };
    return { ctx, sources, logged };
  }
  const o = { from: "kestra:///f.ion", limit: 100, hint: "; give `schema`" };

  it("logs the schema `write` gives and hands what `prepare` made of it, then the file to read once", async () => {
    const { ctx, sources, logged } = context("{a:1}\n{a:2}\n");
    const inferred = await inferSchema(ctx, { ...o, write: avroSchemaOf, prepare: (json) => JSON.stringify(json) });
    expect(inferred.rows).toBe(2);
    expect(inferred.prepared).toBe(JSON.stringify(inferred.json));
    expect(logged).toEqual([`inferred schema from {} row(s): {} 2 ${JSON.stringify(inferred.json)}`]);
    expect(await collect(await inferred.read())).toBe("{a:1}\n{a:2}\n");
    expect(sources).toHaveLength(1);
    expect(sources[0]!.destroyed).toBe(true);
  });

  it("closes the file when `prepare` or `write` fails after the scan (a converter that cannot be compiled)", async () => {
    const failing = context("{a:1}\n{a:2}\n");
    await expect(
      inferSchema(failing.ctx, {
        ...o,
        write: avroSchemaOf,
        prepare: () => {
          throw new Error("no converter");
        },
      }),
    ).rejects.toThrow("no converter");
    expect(failing.sources[0]!.destroyed).toBe(true);

    const badName = context('{"a b":1}\n{c:2}\n');
    const error = await inferSchema(badName.ctx, { ...o, limit: 1, write: avroSchemaOf }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(
      /^cannot infer a schema: the field name 'a b' is not an Avro name.*; give `schema`$/,
    );
    expect(badName.sources[0]!.destroyed).toBe(true);
    expect(badName.logged).toEqual([]);
  });

  it("rows that cannot give a schema fail the task, the message ending with the hint", async () => {
    const { ctx, sources } = context("{a:1}\n7\n");
    const error = await inferSchema(ctx, { ...o, write: avroSchemaOf }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toBe(
      "cannot infer a schema: line 2 of 'kestra:///f.ion' is not a struct or a list but a value of type int; give `schema`",
    );
    expect(sources[0]!.destroyed).toBe(true);
  });
});
