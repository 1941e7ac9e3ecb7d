/**
 * IonToParquet and ParquetToIon in real flows: Ion written to storage, converted to Parquet,
 * the Parquet file checked with hyparquet (the library reading it independently of the task),
 * converted back, and the Ion text checked (and parsed by ion-js). Files written by
 * hyparquet-writer directly in the test are read with each codec.
 */
import * as zlib from "node:zlib";
import * as ion from "ion-js";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun, logMessages } from "@saker/engine/testing";
import { flowOf, flowWith, ION_TO_PARQUET, PARQUET_TO_ION, task, useSerdesInstance } from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile, filesOf } = useSerdesInstance();

const schemaProp = (schema: unknown) => `schema: '${JSON.stringify(schema)}'`;
const arrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const readFlow = (id: string, uri: string) => flowOf(id, task("ion", PARQUET_TO_ION, `from: "${uri}"`));

const SCHEMA = {
  type: "record",
  name: "Row",
  namespace: "com.example",
  fields: [
    { name: "id", type: "long" },
    { name: "small", type: ["null", "int"] },
    { name: "name", type: ["null", "string"] },
    { name: "score", type: "double" },
    { name: "ratio", type: ["null", "float"] },
    { name: "ok", type: "boolean" },
    { name: "born", type: ["null", { type: "int", logicalType: "date" }] },
    { name: "at", type: { type: "long", logicalType: "timestamp-micros" } },
    { name: "atMs", type: ["null", { type: "long", logicalType: "timestamp-millis" }] },
    { name: "wall", type: ["null", { type: "long", logicalType: "local-timestamp-millis" }] },
    { name: "alarm", type: ["null", { type: "int", logicalType: "time-millis" }] },
    { name: "amount", type: { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 } },
    {
      name: "big",
      type: ["null", { type: "fixed", name: "Big", size: 16, logicalType: "decimal", precision: 30, scale: 4 }],
    },
    { name: "raw", type: ["null", "bytes"] },
    { name: "color", type: ["null", { type: "enum", name: "Color", symbols: ["RED", "GREEN"] }] },
    { name: "tags", type: ["null", { type: "array", items: "string" }] },
    { name: "attrs", type: ["null", { type: "map", values: ["null", "long"] }] },
    {
      name: "address",
      type: [
        "null",
        {
          type: "record",
          name: "Address",
          fields: [
            { name: "city", type: "string" },
            { name: "zip", type: ["null", "int"] },
          ],
        },
      ],
    },
    { name: "withDefault", type: "string", default: "none" },
  ],
};

const ROW_1 =
  '{id:1,small:-7,name:"Ann \\"A\\"",score:1.5,ratio:0.25,ok:true,born:2024-02-29,at:2024-03-01T10:15:30.123456Z,atMs:"2024-03-01T12:15:30.123+02:00",wall:"2024-03-01T10:15:30",alarm:"07:30",amount:12.345,big:"-12345678901234567890.1234",raw:"hi",color:"RED",tags:["a","b"],attrs:{k:1,n:null},address:{city:"Paris",zip:75001}}';
const ROW_2 =
  '{id:9007199254740993,small:"42",name:null,score:"2.5e3",ratio:null,ok:"no",born:null,at:"2000-01-01T00:00:00Z",atMs:null,wall:null,alarm:null,amount:"-0.5",big:null,raw:null,color:null,tags:[],attrs:null,address:null,withDefault:"set"}';
// A list row: values in the schema's field order.
const ROW_3 =
  '[3,null,"",0e0,null,"yes",null,"1999-12-31T23:59:59.999999Z",null,null,null,0,null,null,"GREEN",null,{},{city:"Oslo"},"x"]';

const EXPECTED_1 =
  '{id:1,small:-7,name:"Ann \\"A\\"",score:1.5e0,ratio:0.25e0,ok:true,born:2024-02-29,at:2024-03-01T10:15:30.123456Z,atMs:2024-03-01T10:15:30.123Z,wall:2024-03-01T10:15:30.000-00:00,alarm:"07:30:00.000",amount:12.35,big:-12345678901234567890.1234,raw:{{aGk=}},color:"RED",tags:["a","b"],attrs:{k:1,n:null},address:{city:"Paris",zip:75001},withDefault:"none"}';
const EXPECTED_2 =
  '{id:9007199254740993,small:42,name:null,score:2500e0,ratio:null,ok:false,born:null,at:2000-01-01T00:00:00.000000Z,atMs:null,wall:null,alarm:null,amount:-0.50,big:null,raw:null,color:null,tags:[],attrs:null,address:null,withDefault:"set"}';
const EXPECTED_3 =
  '{id:3,small:null,name:null,score:0e0,ratio:null,ok:true,born:null,at:1999-12-31T23:59:59.999999Z,atMs:null,wall:null,alarm:null,amount:0.00,big:null,raw:null,color:"GREEN",tags:null,attrs:{},address:{city:"Oslo",zip:null},withDefault:"x"}';

describe("IonToParquet then ParquetToIon", () => {
  it("round-trips primitive types, nulls, dates, timestamps, decimals and nested values over several row groups", async () => {
    const ionText = `${ROW_1}\n${ROW_2}\n${ROW_3}\n`;
    const ex = await test.run(
      flowWith(
        "parquet_round",
        ionText,
        ".ion",
        task(
          "parquet",
          ION_TO_PARQUET,
          `from: "{{ outputs.src.uri }}"\n${schemaProp(SCHEMA)}\ncompressionCodec: SNAPPY\nrowGroupSize: 40\ntimeZoneId: Europe/Paris`,
        ) + task("back", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "parquet").join() + errorMessages(test, ex, "back").join()).toBe(
      "SUCCESS",
    );
    const parquetUri = outputsOf(ex, "parquet").uri as string;
    expect(parquetUri).toMatch(/\.parquet$/);
    const bytes = await storedBytes(parquetUri);
    const metadata = parquetMetadata(arrayBuffer(bytes));
    // rowGroupSize of 40 bytes: each row is a group of its own.
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([1, 1, 1]);
    expect(metadata.row_groups[0]!.columns[0]!.meta_data!.codec).toBe("SNAPPY");
    const byName = Object.fromEntries(metadata.schema.map((e) => [e.name, e]));
    expect(byName.id).toMatchObject({ type: "INT64", repetition_type: "REQUIRED" });
    expect(byName.name).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" });
    expect(byName.born).toMatchObject({ type: "INT32", converted_type: "DATE" });
    expect(byName.at).toMatchObject({ type: "INT64", converted_type: "TIMESTAMP_MICROS" });
    expect(byName.amount).toMatchObject({ type: "BYTE_ARRAY", converted_type: "DECIMAL", precision: 10, scale: 2 });
    expect(byName.big).toMatchObject({ type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, scale: 4 });
    expect(byName.tags).toMatchObject({ converted_type: "LIST" });
    // hyparquet reads the file on its own: the values are there.
    const rows = await parquetReadObjects({ file: arrayBuffer(bytes) });
    expect(rows.map((r) => r.id)).toEqual([1n, 9007199254740993n, 3n]);
    expect(rows[0]).toMatchObject({ name: 'Ann "A"', tags: ["a", "b"], address: { city: "Paris", zip: 75001 } });

    const back = await stored(ex, "back");
    expect(back.trimEnd().split("\n")).toEqual([EXPECTED_1, EXPECTED_2, EXPECTED_3]);
    // ion-js reads every line: the text is Ion.
    const values = ion.loadAll(back);
    expect(values).toHaveLength(3);
    expect(values[0]!.get("amount")!.decimalValue()!.toString()).toBe("12.35");
    expect(values[0]!.get("at")!.timestampValue()!.toString()).toBe("2024-03-01T10:15:30.123456Z");
  });

  it("writes one row group for small files, with each codec Kestra offers", async () => {
    const schema = {
      type: "record",
      name: "R",
      fields: [
        { name: "n", type: "long" },
        { name: "s", type: "string" },
      ],
    };
    const lines = Array.from({ length: 50 }, (_, i) => `{n:${i},s:"value ${i % 7}"}`).join("\n");
    for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"]) {
      const ex = await test.run(
        flowWith(
          `parquet_codec_${codec.toLowerCase()}`,
          lines,
          ".ion",
          task(
            "parquet",
            ION_TO_PARQUET,
            `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}\ncompressionCodec: ${codec}`,
          ) + task("back", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
        ),
      );
      if (codec === "ZSTD" && !("zstdCompressSync" in zlib)) {
        // Node.js before 22.15 has no zstd compressor: the task says so, naming the property.
        expect(ex.state.current).toBe("FAILED");
        expect(errorMessages(test, ex, "parquet").join("\n")).toMatch(/compressionCodec: ZSTD needs Node\.js 22\.15/);
        continue;
      }
      expect(ex.state.current, `${codec}: ${errorMessages(test, ex, "parquet").join()}`).toBe("SUCCESS");
      const metadata = parquetMetadata(arrayBuffer(await storedBytes(outputsOf(ex, "parquet").uri as string)));
      expect(metadata.row_groups).toHaveLength(1);
      expect(metadata.row_groups[0]!.columns[1]!.meta_data!.codec).toBe(codec);
      expect(await stored(ex, "back")).toBe(`${lines}\n`);
    }
  });

  it("the default codec is GZIP, and an empty Ion file gives a Parquet file without rows", async () => {
    const schema = { type: "record", name: "R", fields: [{ name: "n", type: "long" }] };
    const ex = await test.run(
      flowWith(
        "parquet_default",
        "{n:1}\n",
        ".ion",
        task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`),
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    const metadata = parquetMetadata(arrayBuffer(await storedBytes(outputsOf(ex, "parquet").uri as string)));
    expect(metadata.row_groups[0]!.columns[0]!.meta_data!.codec).toBe("GZIP");

    const empty = await test.run(
      flowWith(
        "parquet_empty",
        "",
        ".ion",
        task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`) +
          task("back", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
      ),
    );
    expect(empty.state.current, errorMessages(test, empty, "parquet").join()).toBe("SUCCESS");
    const emptyMeta = parquetMetadata(arrayBuffer(await storedBytes(outputsOf(empty, "parquet").uri as string)));
    expect(Number(emptyMeta.num_rows)).toBe(0);
    expect(await stored(empty, "back")).toBe("");
  });

  it("applies the options: formats, decimalSeparator, trueValues/falseValues/nullValues, strictSchema", async () => {
    const schema = {
      type: "record",
      name: "R",
      fields: [
        { name: "d", type: { type: "int", logicalType: "date" } },
        { name: "t", type: { type: "long", logicalType: "timestamp-millis" } },
        { name: "x", type: "double" },
        { name: "b", type: "boolean" },
        { name: "z", type: ["null", "long"] },
      ],
    };
    const ex = await test.run(
      flowWith(
        "parquet_options",
        '{d:"31/12/2023",t:"31/12/2023 23:59",x:"3,25",b:"oui",z:"-"}\n{d:"2024-01-02",t:"2024-01-02T03:04:05Z",x:1,b:"non",z:5}\n',
        ".ion",
        task(
          "parquet",
          ION_TO_PARQUET,
          `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}\ndateFormat: "dd/MM/yyyy"\ndatetimeFormat: "dd/MM/yyyy HH:mm"\ntimeZoneId: UTC\ndecimalSeparator: ","\ntrueValues: ["oui"]\nfalseValues: ["non"]\nnullValues: ["-"]\nstrictSchema: true`,
        ) + task("back", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "parquet").join()).toBe("SUCCESS");
    expect((await stored(ex, "back")).trimEnd().split("\n")).toEqual([
      "{d:2023-12-31,t:2023-12-31T23:59:00.000Z,x:3.25e0,b:true,z:null}",
      "{d:2024-01-02,t:2024-01-02T03:04:05.000Z,x:1e0,b:false,z:5}",
    ]);
  });
});

describe("as Kestra's parquet-avro writes and converts", () => {
  it("names the schema's root after the Avro record, with its namespace; an inferred schema's root is io.kestra.plugin.serdes.avro.root", async () => {
    const record = (name: string, namespace?: string) => ({
      type: "record",
      name,
      ...(namespace === undefined ? {} : { namespace }),
      fields: [{ name: "n", type: "long" }],
    });
    const schemas = {
      plain: record("Plain"),
      spaced: record("Row", "com.example"),
      dotted: record("org.acme.Order", "ignored.space"),
      unspaced: record("Bare", ""),
    };
    const ex = await test.run(
      flowWith(
        "parquet_root_names",
        "{n:1}\n",
        ".ion",
        Object.entries(schemas)
          .map(([id, schema]) => task(id, ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`))
          .join("") + task("inferred", ION_TO_PARQUET, 'from: "{{ outputs.src.uri }}"'),
      ),
    );
    const ids = [...Object.keys(schemas), "inferred"];
    expect(ex.state.current, ids.flatMap((id) => errorMessages(test, ex, id)).join()).toBe("SUCCESS");
    const roots: Record<string, string | undefined> = {};
    for (const id of ids)
      roots[id] = parquetMetadata(arrayBuffer(await storedBytes(outputsOf(ex, id).uri as string))).schema[0]?.name;
    expect(roots).toEqual({
      plain: "Plain",
      spaced: "com.example.Row",
      dotted: "org.acme.Order",
      unspaced: "Bare",
      inferred: "io.kestra.plugin.serdes.avro.root",
    });
  });

  it("compares trueValues, falseValues and nullValues ignoring case, letter by letter as Java does (ı is I)", async () => {
    const fields = [
      { name: "b", type: "boolean" },
      { name: "z", type: ["null", "long"] },
      { name: "s", type: ["null", "string"] },
    ];
    const props = `from: "{{ outputs.src.uri }}"\n${schemaProp({ type: "record", name: "C", fields })}\nonBadLines: SKIP`;
    const lists = 'trueValues: ["Oui"]\nfalseValues: ["HAYIR"]\nnullValues: ["NÉANT"]\ninferAllFields: true';
    const rows =
      '{b:"TRUE",z:"N/A",s:"Yes"}\n{b:"Off",z:"NULL",s:"NO"}\n{b:"OUI",z:"néant",s:"oui"}\n{b:"hayır",z:2,s:"Hayır"}\n';
    const tasks = [
      task("defaults", ION_TO_PARQUET, props),
      task("custom", ION_TO_PARQUET, `${props}\n${lists}`),
      task("defaultsBack", PARQUET_TO_ION, 'from: "{{ outputs.defaults.uri }}"'),
      task("customBack", PARQUET_TO_ION, 'from: "{{ outputs.custom.uri }}"'),
    ];
    const ex = await test.run(flowWith("parquet_values_case", rows, ".ion", tasks.join("")));
    expect(ex.state.current, ["defaults", "custom"].flatMap((id) => errorMessages(test, ex, id)).join()).toBe(
      "SUCCESS",
    );
    // Each task leaves out the rows its lists do not cover: rows 3 and 4 with the defaults, 1 and 2 with its own.
    expect(await stored(ex, "defaultsBack")).toBe('{b:true,z:null,s:"Yes"}\n{b:false,z:null,s:"NO"}\n');
    expect(await stored(ex, "customBack")).toBe('{b:true,z:null,s:"true"}\n{b:false,z:2,s:"false"}\n');
  });
});

describe("IonToParquet without a schema", () => {
  const ionRows =
    '{id:1,name:"a",score:1.5e0,price:12.30,at:2024-03-01T10:15:30.123456Z,day:2024-02-29,tags:["x"],addr:{city:"P"},raw:{{aGk=}}}\n' +
    "{id:3000000000,name:null,score:2,price:1.5,at:2024-03-01T10:15:30Z,day:2024-03-01,tags:[],addr:null,extra:true}\n";

  it("infers one from the rows: types merged, every field nullable, structs and lists nested", async () => {
    const uri = await namespaceFile("infer.ion", Buffer.from(ionRows));
    const ex = await test.run(
      flowOf(
        "parquet_infer",
        task("parquet", ION_TO_PARQUET, `from: "${uri}"`) +
          task("back", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "parquet").join()).toBe("SUCCESS");
    const metadata = parquetMetadata(arrayBuffer(await storedBytes(outputsOf(ex, "parquet").uri as string)));
    const byName = Object.fromEntries(metadata.schema.map((e) => [e.name, e]));
    expect(byName.id).toMatchObject({ type: "INT64", repetition_type: "OPTIONAL" });
    expect(byName.score).toMatchObject({ type: "DOUBLE" });
    expect(byName.price).toMatchObject({ converted_type: "UTF8" });
    expect(byName.at).toMatchObject({ converted_type: "TIMESTAMP_MICROS" });
    expect(byName.day).toMatchObject({ converted_type: "DATE" });
    expect(byName.raw).toMatchObject({ type: "BYTE_ARRAY" });
    expect(byName.extra).toMatchObject({ type: "BOOLEAN" });
    expect((await stored(ex, "back")).trimEnd().split("\n")).toEqual([
      '{id:1,name:"a",score:1.5e0,price:"12.30",at:2024-03-01T10:15:30.123456Z,day:2024-02-29,tags:["x"],addr:{city:"P"},raw:{{aGk=}},extra:null}',
      '{id:3000000000,name:null,score:2e0,price:"1.5",at:2024-03-01T10:15:30.000000Z,day:2024-03-01,tags:[],addr:null,raw:null,extra:true}',
    ]);
  });

  it("numberOfRowsToScan limits the rows read; an empty file cannot give a schema", async () => {
    const uri = await namespaceFile("infer-one.ion", Buffer.from(ionRows));
    const ex = await test.run(
      flowOf("parquet_infer_one", task("parquet", ION_TO_PARQUET, `from: "${uri}"\nnumberOfRowsToScan: 1`)),
    );
    // Only the first row was scanned: id is an int there, and row 2's does not fit.
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "parquet").join("\n")).toMatch(/row 2, field 'id': expected an int \(32 bits\)/);
    const empty = await test.run(
      flowWith("parquet_infer_empty", "", ".ion", task("parquet", ION_TO_PARQUET, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(empty.state.current).toBe("FAILED");
    expect(errorMessages(test, empty, "parquet").join("\n")).toMatch(
      /cannot infer a schema: .* has no rows; give `schema`/,
    );
  });
});

describe("inferAllFields and rows that are lists", () => {
  it("inferAllFields applies nullValues, trueValues and falseValues to every text, whatever the field's type, as Kestra", async () => {
    const schema = {
      type: "record",
      name: "R",
      fields: [
        { name: "word", type: "string" },
        { name: "note", type: ["null", "string"] },
      ],
    };
    const props = `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`;
    const ex = await test.run(
      flowWith(
        "parquet_infer_all",
        '{word:"yes",note:"NA"}\n{word:"off",note:"maybe"}\n',
        ".ion",
        task("plain", ION_TO_PARQUET, props) +
          task("plainBack", PARQUET_TO_ION, 'from: "{{ outputs.plain.uri }}"') +
          task("all", ION_TO_PARQUET, `${props}\ninferAllFields: true`) +
          task("allBack", PARQUET_TO_ION, 'from: "{{ outputs.all.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "all").join()).toBe("SUCCESS");
    // Without it, nullValues apply to nullable fields only, trueValues and falseValues to booleans only.
    expect(await stored(ex, "plainBack")).toBe('{word:"yes",note:null}\n{word:"off",note:"maybe"}\n');
    expect(await stored(ex, "allBack")).toBe('{word:"true",note:null}\n{word:"false",note:"maybe"}\n');
    // A null text in a field that is not nullable is null there too, which the field refuses.
    const bad = await test.run(
      flowWith(
        "parquet_infer_all_null",
        '{word:"NA",note:null}\n',
        ".ion",
        task("all", ION_TO_PARQUET, `${props}\ninferAllFields: true`),
      ),
    );
    expect(errorMessages(test, bad, "all").join("\n")).toMatch(
      /row 1, field 'word': null in a field that is not nullable/,
    );
  });

  it("a record of one array field takes rows that are lists whatever its names; only `root`/`value` gives lists back", async () => {
    const schema = (name: string, field: string) => ({
      type: "record",
      name,
      fields: [{ name: field, type: { type: "array", items: "string" } }],
    });
    const props = (name: string, field: string) => `from: "{{ outputs.src.uri }}"\n${schemaProp(schema(name, field))}`;
    const ex = await test.run(
      flowWith(
        "parquet_list_rows",
        '["a","b"]\n[]\n',
        ".ion",
        task("tags", ION_TO_PARQUET, props("Tags", "tags")) +
          task("tagsBack", PARQUET_TO_ION, 'from: "{{ outputs.tags.uri }}"') +
          task("root", ION_TO_PARQUET, props("root", "value")) +
          task("rootBack", PARQUET_TO_ION, 'from: "{{ outputs.root.uri }}"'),
      ),
    );
    expect(ex.state.current, ["tags", "root"].flatMap((t) => errorMessages(test, ex, t)).join()).toBe("SUCCESS");
    expect(await stored(ex, "tagsBack")).toBe('{tags:["a","b"]}\n{tags:[]}\n');
    expect(await stored(ex, "rootBack")).toBe('["a","b"]\n[]\n');
  });

  it("reads rows that were lists from a file whose root is named as parquet-avro names it, with its namespace", async () => {
    const file = (root: string) => {
      const out = new ByteWriter();
      const writer = new ParquetWriter({
        writer: out,
        schema: [
          { name: root, num_children: 1 },
          {
            name: "value",
            repetition_type: "REQUIRED",
            num_children: 1,
            converted_type: "LIST",
            logical_type: { type: "LIST" },
          },
          { name: "list", repetition_type: "REPEATED", num_children: 1 },
          { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        ],
      });
      writer.write({ columnData: [{ name: "value", data: [["a", null], ["b"]] }] });
      writer.finish();
      return out.getBytes().slice();
    };
    const kestra = await namespaceFile("kestra-lists.parquet", file("io.kestra.plugin.serdes.avro.root"));
    const other = await namespaceFile("other-lists.parquet", file("com.example.Other"));
    const ex = await test.run(
      flowOf(
        "parquet_kestra_lists",
        task("kestra", PARQUET_TO_ION, `from: "${kestra}"`) + task("other", PARQUET_TO_ION, `from: "${other}"`),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "kestra").join()).toBe("SUCCESS");
    expect(await stored(ex, "kestra")).toBe('["a",null]\n["b"]\n');
    expect(await stored(ex, "other")).toBe('{value:["a",null]}\n{value:["b"]}\n');
  });

  it("a schema inferred that Parquet cannot take fails the task after the scan, saying so, and stores nothing", async () => {
    const ex = await test.run(
      flowWith(
        "parquet_infer_empty_struct",
        "{}\n{}\n",
        ".ion",
        task("parquet", ION_TO_PARQUET, 'from: "{{ outputs.src.uri }}"'),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "parquet").join("\n")).toMatch(
      /the schema inferred from '.*' cannot be written as Parquet: .*a record needs at least one field; give `schema`/,
    );
    expect(outputsOf(ex, "parquet")).toBeFalsy();
  });
});

/** A Parquet file written by hyparquet-writer itself, with logical types and a nested column. */
function independentFile(codec: "UNCOMPRESSED" | "SNAPPY" | "GZIP" | "BROTLI", rowGroupSize: number): Uint8Array {
  const out = new ByteWriter();
  const writer = new ParquetWriter({
    writer: out,
    codec,
    compressors: {
      GZIP: (input: Uint8Array) => zlib.gzipSync(input),
      BROTLI: (input: Uint8Array) => zlib.brotliCompressSync(input),
    },
    schema: [
      { name: "root", num_children: 6 },
      { name: "id", type: "INT32", repetition_type: "REQUIRED" },
      { name: "label", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      { name: "price", type: "INT64", converted_type: "DECIMAL", precision: 12, scale: 3, repetition_type: "OPTIONAL" },
      { name: "day", type: "INT32", converted_type: "DATE", repetition_type: "OPTIONAL" },
      {
        name: "seen",
        type: "INT64",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" },
        repetition_type: "OPTIONAL",
      },
      { name: "point", repetition_type: "OPTIONAL", num_children: 2 },
      { name: "x", type: "DOUBLE", repetition_type: "REQUIRED" },
      { name: "y", type: "DOUBLE", repetition_type: "OPTIONAL" },
    ],
  });
  const n = 5;
  writer.write({
    columnData: [
      { name: "id", data: Array.from({ length: n }, (_, i) => i + 1) },
      { name: "label", data: Array.from({ length: n }, (_, i) => (i === 2 ? null : `item ${i + 1}`)) },
      { name: "price", data: Array.from({ length: n }, (_, i) => (i === 3 ? null : BigInt(i * 1001 - 1500))) },
      { name: "day", data: Array.from({ length: n }, (_, i) => 19_000 + i) },
      { name: "seen", data: Array.from({ length: n }, (_, i) => 1_700_000_000_123_456_789n + BigInt(i)) },
      {
        name: "point",
        data: Array.from({ length: n }, (_, i) => (i === 4 ? null : { x: i / 2, y: i === 1 ? null : -i })),
      },
    ],
    rowGroupSize,
  });
  writer.finish();
  return out.getBytes().slice();
}

const INDEPENDENT_ION = [
  '{id:1,label:"item 1",price:-1.500,day:2022-01-08,seen:2023-11-14T22:13:20.123456789Z,point:{x:0e0,y:0e0}}',
  '{id:2,label:"item 2",price:-0.499,day:2022-01-09,seen:2023-11-14T22:13:20.123456790Z,point:{x:0.5e0,y:null}}',
  "{id:3,label:null,price:0.502,day:2022-01-10,seen:2023-11-14T22:13:20.123456791Z,point:{x:1e0,y:-2e0}}",
  '{id:4,label:"item 4",price:null,day:2022-01-11,seen:2023-11-14T22:13:20.123456792Z,point:{x:1.5e0,y:-3e0}}',
  '{id:5,label:"item 5",price:2.504,day:2022-01-12,seen:2023-11-14T22:13:20.123456793Z,point:null}',
];

describe("ParquetToIon of a file written elsewhere", () => {
  for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "BROTLI"] as const) {
    it(`reads ${codec} row groups into exact Ion values`, async () => {
      const uri = await namespaceFile(`independent-${codec}.parquet`, independentFile(codec, 2));
      expect(parquetMetadata(arrayBuffer(Buffer.from(await storedBytes(uri)))).row_groups).toHaveLength(3);
      const ex = await test.run(readFlow(`parquet_read_${codec.toLowerCase()}`, uri));
      expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
      const text = await stored(ex, "ion");
      expect(text.trimEnd().split("\n")).toEqual(INDEPENDENT_ION);
      expect(ion.loadAll(text)).toHaveLength(5);
    });
  }

  it("reads the legacy aliases ParquetReader and ParquetWriter", async () => {
    const schema = { type: "record", name: "R", fields: [{ name: "n", type: "int" }] };
    const ex = await test.run(
      flowWith(
        "parquet_aliases",
        "{n:1}\n{n:2}\n",
        ".ion",
        task(
          "parquet",
          "io.kestra.plugin.serdes.parquet.ParquetWriter",
          `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`,
        ) + task("back", "io.kestra.plugin.serdes.parquet.ParquetReader", 'from: "{{ outputs.parquet.uri }}"'),
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(await stored(ex, "back")).toBe("{n:1}\n{n:2}\n");
  });
});

describe("bad input", () => {
  it("a Parquet file cut in half fails ParquetToIon with a clear message and stores nothing", async () => {
    const whole = independentFile("SNAPPY", 5);
    const uri = await namespaceFile("half.parquet", whole.slice(0, Math.floor(whole.length / 2)));
    const ex = await test.run(readFlow("parquet_half", uri));
    expect(ex.state.current).toBe("FAILED");
    expect(taskRun(ex, "ion").outputs ?? {}).not.toHaveProperty("uri");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(/half\.parquet' is not a readable Parquet file/);
    expect(filesOf(ex.id)).toEqual([]);
  });

  it("a file that is not Parquet fails ParquetToIon and stores nothing", async () => {
    const ex = await test.run(
      flowWith("parquet_not", "id,name\n1,a\n", ".csv", task("ion", PARQUET_TO_ION, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(/is not a readable Parquet file/);
    expect(filesOf(ex.id)).toHaveLength(1); // the CSV itself
  });

  it("a corrupt row group (footer intact) fails with the row group named", async () => {
    const bytes = Buffer.from(independentFile("SNAPPY", 5));
    // Scribble over the column data between the magic number and the footer.
    bytes.fill(0xff, 8, 60);
    const uri = await namespaceFile("corrupt.parquet", bytes);
    const ex = await test.run(readFlow("parquet_corrupt", uri));
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(/corrupt\.parquet': cannot read row group 1 of 1/);
    expect(filesOf(ex.id)).toEqual([]);
  });

  it("a row that does not fit the schema names the row and the field, and leaves no file", async () => {
    const schema = {
      type: "record",
      name: "R",
      fields: [
        { name: "id", type: "long" },
        { name: "age", type: ["null", "int"] },
        { name: "address", type: ["null", { type: "record", name: "A", fields: [{ name: "zip", type: "int" }] }] },
      ],
    };
    const cases: [string, RegExp][] = [
      ['{id:1,age:3}\n{id:2,age:"old"}\n', /row 2, field 'age': expected an int, got "old"/],
      ["{id:1}\n{age:4}\n", /row 2, field 'id': null in a field that is not nullable/],
      ['{id:1,address:{zip:"x"}}\n', /row 1, field 'address\.zip': expected an int/],
      ["{id:1,extra:2}\n", /row 1, field 'extra': the field is not in the schema \(strictSchema\)/],
      ["{id:1,age:3000000000}\n", /field 'age': expected an int \(32 bits\)/],
      ["5\n", /row 1: a row must be a struct or a list, got 5/],
    ];
    for (const [i, [ionText, message]] of cases.entries()) {
      const ex = await test.run(
        flowWith(
          `parquet_bad_row_${i}`,
          ionText,
          ".ion",
          task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}\nstrictSchema: true`),
        ),
      );
      expect(ex.state.current, ionText).toBe("FAILED");
      expect(errorMessages(test, ex, "parquet").join("\n")).toMatch(message);
      expect(filesOf(ex.id)).toHaveLength(1); // the Ion source only, no .parquet
    }
  });

  it("onBadLines WARN or SKIP leaves bad rows out instead of failing", async () => {
    const schema = { type: "record", name: "R", fields: [{ name: "n", type: "int" }] };
    for (const mode of ["WARN", "SKIP"]) {
      const ex = await test.run(
        flowWith(
          `parquet_bad_lines_${mode.toLowerCase()}`,
          '{n:1}\n{n:"x"}\n{n:3}\n',
          ".ion",
          task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}\nonBadLines: ${mode}`) +
            task("back", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
        ),
      );
      expect(ex.state.current, mode).toBe("SUCCESS");
      expect(await stored(ex, "back")).toBe("{n:1}\n{n:3}\n");
      const warnings = logMessages(test, ex, "parquet", "WARN").join("\n");
      if (mode === "WARN") expect(warnings).toMatch(/row 2, field 'n': expected an int, got "x" \(row left out\)/);
      else expect(warnings).not.toMatch(/row 2/);
    }
  });

  it("onBadLines WARN logs the first 100 bad rows and then a total, not one warning per row", async () => {
    const schema = { type: "record", name: "R", fields: [{ name: "n", type: "int" }] };
    const ionRows = '{n:1}\n{n:"x"}\n'.repeat(150);
    const ex = await test.run(
      flowWith(
        "parquet_bad_lines_cap",
        ionRows,
        ".ion",
        task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}\nonBadLines: WARN`),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "parquet").join()).toBe("SUCCESS");
    const warnings = logMessages(test, ex, "parquet", "WARN");
    expect(warnings).toHaveLength(101);
    expect(warnings[0]).toMatch(/row 2, field 'n': expected an int, got "x" \(row left out\)/);
    expect(warnings[99]).toMatch(/row 200, field 'n'/);
    expect(warnings[100]).toBe(
      "150 bad row(s) left out (onBadLines: WARN); 50 warning(s) past the first 100 not logged",
    );
  });

  it("a bad schema fails naming schema", async () => {
    const cases: [string, RegExp][] = [
      ["schema: 'not json'", /invalid Avro schema in 'schema': not JSON/],
      [schemaProp({ type: "string" }), /invalid Avro schema in 'schema': the top level must be a record/],
      [
        schemaProp({ type: "record", name: "R", fields: [{ name: "a", type: "nope" }] }),
        /invalid Avro schema in 'schema': field 'a': unknown type 'nope'/,
      ],
      [
        schemaProp({ type: "record", name: "R", fields: [{ name: "a", type: ["int", "string"] }] }),
        /invalid Avro schema in 'schema': field 'a': only a union of one type with "null" is supported/,
      ],
      [
        schemaProp({
          type: "record",
          name: "R",
          fields: [{ name: "a", type: { type: "bytes", logicalType: "decimal" } }],
        }),
        /invalid Avro schema in 'schema': field 'a': a decimal needs a positive integer "precision"/,
      ],
    ];
    for (const [i, [prop, message]] of cases.entries()) {
      const ex = await test.run(
        flowWith(
          `parquet_bad_schema_${i}`,
          "{a:1}\n",
          ".ion",
          task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${prop}`),
        ),
      );
      expect(ex.state.current, prop).toBe("FAILED");
      expect(errorMessages(test, ex, "parquet").join("\n")).toMatch(message);
    }
  });

  it("bad options name the property: timeZoneId, dateFormat", async () => {
    const schema = { type: "record", name: "R", fields: [{ name: "a", type: "int" }] };
    for (const [prop, message] of [
      ["timeZoneId: Mars/Olympus", /timeZoneId: unknown time zone 'Mars\/Olympus'/],
      ['dateFormat: "yyyy-QQ"', /dateFormat: 'yyyy-QQ' is not a date-time pattern: unknown pattern letter 'Q'/],
    ] as const) {
      const ex = await test.run(
        flowWith(
          `parquet_bad_opt_${prop.slice(0, 4)}`,
          "{a:1}\n",
          ".ion",
          task("parquet", ION_TO_PARQUET, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}\n${prop}`),
        ),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(errorMessages(test, ex, "parquet").join("\n")).toMatch(message);
    }
  });
});
