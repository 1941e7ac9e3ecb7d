/**
 * IonToAvro without `schema` and InferAvroSchemaFromIon in real flows: the schema inferred as
 * Kestra infers it (compared with what Kestra's InferAvroSchema gives for the same rows), the
 * rows round-tripped through AvroToIon, conflicting types, the rows scanned, and bad inputs.
 */
import { Readable } from "node:stream";
import avro from "avsc";
import { describe, expect, it } from "vitest";
import { errorMessages, logMessages, outputsOf } from "@saker/engine/testing";
import {
  AVRO_TO_ION,
  flowOf,
  INFER_AVRO_SCHEMA,
  ION_TO_AVRO,
  ION_TO_PARQUET,
  PARQUET_TO_ION,
  task,
  useSerdesInstance,
} from "../test/support.ts";

// Rows are put in namespace files (`namespaceFile`): a blob `{{…}}` in a flow would be an expression.
const { test, stored, storedBytes, namespaceFile } = useSerdesInstance();

/** Rows of every type the inference tells apart. */
const ROWS = [
  '{i:1,big:3000000000,price:12.30,score:1.5e0,name:"a",ok:true,note:null,addr:{city:"Paris",zip:75001},tags:["x","y"],at:2024-01-15T10:20:30.123Z,day:2024-02-29,raw:{{aGk=}},t:LocalTime::"10:20:30",local:LocalDateTime::"2024-01-15T10:20:30.5",midnight:2024-01-15T00:00:00Z,zoned:ZonedDateTime::"2024-01-15T10:20:30+01:00[Europe/Paris]"}',
  '{i:-7,big:5,price:0.5,score:-2.25e0,name:"b",ok:false,note:null,addr:{city:"Lyon",zip:69001},tags:[],at:2024-06-01T12:00:00+02:00,day:2024-03-01,raw:{{AAE=}},t:LocalTime::"23:59:59.999",local:LocalDateTime::"2024-06-01T00:00:00",midnight:2024-01-16T00:00:00.000Z,zoned:null}',
].join("\n");

/** The schema Kestra infers from ROWS (with `big`, which Kestra cannot infer: it fails on ints past 32 bits). */
const ROWS_SCHEMA = {
  type: "record",
  name: "root",
  namespace: "io.kestra.plugin.serdes.avro",
  fields: [
    { name: "i", type: ["null", "int"] },
    { name: "big", type: ["null", "long"] },
    { name: "price", type: ["null", "string"] },
    { name: "score", type: ["null", "double"] },
    { name: "name", type: ["null", "string"] },
    { name: "ok", type: ["null", "boolean"] },
    { name: "note", type: "null" },
    {
      name: "addr",
      type: [
        {
          type: "record",
          name: "addr",
          fields: [
            { name: "city", type: ["null", "string"], doc: "", default: null },
            { name: "zip", type: ["null", "int"], doc: "", default: null },
          ],
        },
        "null",
      ],
    },
    { name: "tags", type: ["null", { type: "array", items: ["null", "string"] }] },
    { name: "at", type: ["null", { type: "long", logicalType: "local-timestamp-millis" }] },
    { name: "day", type: ["null", { type: "int", logicalType: "date" }] },
    { name: "raw", type: ["null", "bytes"] },
    { name: "t", type: ["null", { type: "int", logicalType: "time-millis" }] },
    { name: "local", type: ["null", { type: "long", logicalType: "local-timestamp-millis" }] },
    { name: "midnight", type: ["null", { type: "int", logicalType: "date" }] },
    { name: "zoned", type: ["null", { type: "long", logicalType: "local-timestamp-millis" }] },
  ],
};

/** The schema an Avro file's header holds, as avsc reads it. */
async function headerSchema(uri: string): Promise<unknown> {
  const bytes = await storedBytes(uri);
  const decoder = new avro.streams.BlockDecoder();
  const metadata = new Promise<unknown>((resolve) =>
    decoder.on("metadata", (type: { schema(): unknown }) => resolve(type.schema())),
  );
  Readable.from([bytes]).pipe(decoder).resume();
  return metadata;
}

describe("Avro schema inference", () => {
  it("IonToAvro without schema infers it from the rows, AvroToIon gives them back; InferAvroSchemaFromIon writes the schema Kestra infers", async () => {
    const source = await namespaceFile("infer-all.ion", ROWS);
    const ex = await test.run(
      flowOf(
        "avro_infer_types",
        task("avro", ION_TO_AVRO, `from: "${source}"\ntimeZoneId: UTC`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"') +
          task("infer", INFER_AVRO_SCHEMA, `from: "${source}"`),
      ),
    );
    expect(ex.state.current, ["avro", "back", "infer"].flatMap((t) => errorMessages(test, ex, t)).join("\n")).toBe(
      "SUCCESS",
    );
    expect((await stored(ex, "back")).split("\n")).toEqual([
      // Decimals are text, timestamps local date-times (in timeZoneId), midnight UTC a date, as in Kestra.
      '{i:1,big:3000000000,price:"12.30",score:1.5e0,name:"a",ok:true,note:null,addr:{city:"Paris",zip:75001},tags:["x","y"],at:LocalDateTime::"2024-01-15T10:20:30.123",day:2024-02-29,raw:{{aGk=}},t:LocalTime::"10:20:30",local:LocalDateTime::"2024-01-15T10:20:30.5",midnight:2024-01-15,zoned:LocalDateTime::"2024-01-15T09:20:30"}',
      '{i:-7,big:5,price:"0.5",score:-2.25e0,name:"b",ok:false,note:null,addr:{city:"Lyon",zip:69001},tags:[],at:LocalDateTime::"2024-06-01T10:00:00",day:2024-03-01,raw:{{AAE=}},t:LocalTime::"23:59:59.999",local:LocalDateTime::"2024-06-01T00:00:00",midnight:2024-01-16,zoned:null}',
      "",
    ]);
    expect(outputsOf(ex, "avro").size).toBe(2);
    expect(outputsOf(ex, "back").size).toBe(2);

    // The .avsc file: Kestra's schema, written as Java Avro writes it (compact JSON, the same text).
    expect(outputsOf(ex, "infer").uri).toMatch(/\.avsc$/);
    const avsc = await stored(ex, "infer");
    expect(JSON.parse(avsc)).toEqual(ROWS_SCHEMA);
    expect(avsc).toBe(JSON.stringify(ROWS_SCHEMA));
    // IonToAvro used that schema, logged it, and the file's header holds it.
    expect(logMessages(test, ex, "avro", "INFO").join("\n")).toContain(`inferred schema from 2 row(s): ${avsc}`);
    expect(await headerSchema(outputsOf(ex, "avro").uri as string)).toMatchObject({
      name: "io.kestra.plugin.serdes.avro.root",
      fields: expect.arrayContaining([{ name: "big", type: ["null", "long"] }]),
    });
  });

  it("the inferred schema file can be given to IonToAvro as `schema`, as in Kestra's flows", async () => {
    const source = await namespaceFile(
      "infer-reuse.ion",
      '{id:1,tags:["a"],at:2024-01-15T10:20:30Z}\n{id:2,tags:[],at:null}',
    );
    const ex = await test.run(
      flowOf(
        "avro_infer_reuse",
        task("infer", INFER_AVRO_SCHEMA, `from: "${source}"`) +
          task("avro", ION_TO_AVRO, `from: "${source}"\ntimeZoneId: UTC\nschema: "{{ read(outputs.infer.uri) }}"`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "avro").join("\n")).toBe("SUCCESS");
    expect(await stored(ex, "back")).toBe(
      '{id:1,tags:["a"],at:LocalDateTime::"2024-01-15T10:20:30"}\n{id:2,tags:[],at:null}\n',
    );
  });

  it("types that differ between rows are a union of them, as Kestra's: values keep their type", async () => {
    const source = await namespaceFile(
      "infer-conflict.ion",
      '{a:1,b:{x:1},c:1}\n{a:2.5e0,b:"text",c:2024-01-15}\n{a:"x",b:null}\n{a:null,b:{x:2,y:"new"}}',
    );
    const ex = await test.run(
      flowOf(
        "avro_infer_conflict",
        task("infer", INFER_AVRO_SCHEMA, `from: "${source}"\nnumberOfRowsToScan: 4\nallowFailure: true`) +
          task("avro", ION_TO_AVRO, `from: "${source}"\nallowFailure: true`) +
          task("avro3", ION_TO_AVRO, `from: "${source}"\nnumberOfRowsToScan: 1\nallowFailure: true`),
      ),
    );
    // c holds an int and a date, both Avro ints: no union holds them (Kestra fails: "Duplicate in union:int").
    for (const t of ["infer", "avro"])
      expect(errorMessages(test, ex, t).join("\n")).toMatch(
        /cannot infer a schema: 'c' holds int and date values, which one Avro union cannot hold/,
      );
    // One row scanned: `a` is an int, and row 2's float does not fit it.
    expect(errorMessages(test, ex, "avro3").join("\n")).toMatch(
      /row 2, field 'a': 2\.5 fits no type of union \[null, int\]/,
    );

    const ok = await namespaceFile(
      "infer-union.ion",
      '{a:1,b:{x:1}}\n{a:2.5e0,b:"text"}\n{a:"x",b:null}\n{a:null,b:{x:2,y:"new"}}',
    );
    const unions = await test.run(
      flowOf(
        "avro_infer_union",
        task("infer", INFER_AVRO_SCHEMA, `from: "${ok}"`) +
          task("avro", ION_TO_AVRO, `from: "${ok}"`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(unions.state.current, errorMessages(test, unions, "avro").join("\n")).toBe("SUCCESS");
    expect(JSON.parse(await stored(unions, "infer"))).toEqual({
      type: "record",
      name: "root",
      namespace: "io.kestra.plugin.serdes.avro",
      fields: [
        { name: "a", type: ["null", "int", "double", "string"] },
        {
          name: "b",
          type: [
            "null",
            "string",
            {
              type: "record",
              name: "b",
              fields: [
                { name: "x", type: ["null", "int"] },
                { name: "y", type: ["null", "string"] },
              ],
            },
          ],
        },
      ],
    });
    // A value takes the first type of the union it converts to, as in Kestra: here a struct is
    // written as text, since "string" comes before the record (Kestra writes Java's `{x=1}`, Saker JSON).
    expect(await stored(unions, "back")).toBe(
      '{a:1,b:"{\\"x\\":1}"}\n{a:2.5e0,b:"text"}\n{a:"x",b:null}\n{a:null,b:"{\\"x\\":2,\\"y\\":\\"new\\"}"}\n',
    );
    // With the record first ([record, null, string]), a struct stays a struct.
    const first = await namespaceFile("infer-record-first.ion", '{b:{x:1}}\n{b:"text"}\n{b:{x:2}}');
    const kept = await test.run(
      flowOf(
        "avro_infer_record_first",
        task("avro", ION_TO_AVRO, `from: "${first}"`) + task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(kept.state.current, errorMessages(test, kept, "avro").join("\n")).toBe("SUCCESS");
    expect(await stored(kept, "back")).toBe('{b:{x:1}}\n{b:"text"}\n{b:{x:2}}\n');
  });

  it("numberOfRowsToScan: only those rows give the schema (a later field is left out); inferAllFields reads every row", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `{n:${i},s:"row ${i}"${i === 2500 ? ',late:"x"' : ""}}`);
    const source = await namespaceFile("infer-many.ion", `${rows.join("\n")}\n`);
    const ex = await test.run(
      flowOf(
        "avro_infer_rows",
        task("avro", ION_TO_AVRO, `from: "${source}"`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"') +
          task("all", ION_TO_AVRO, `from: "${source}"\ninferAllFields: true`) +
          task("allBack", AVRO_TO_ION, 'from: "{{ outputs.all.uri }}"') +
          task("infer", INFER_AVRO_SCHEMA, `from: "${source}"\nnumberOfRowsToScan: 1`),
      ),
    );
    expect(ex.state.current, ["avro", "all"].flatMap((t) => errorMessages(test, ex, t)).join("\n")).toBe("SUCCESS");
    // The first 100 rows scanned, read once with the rest of the file: every row is there.
    expect(outputsOf(ex, "avro").size).toBe(3000);
    const back = (await stored(ex, "back")).trimEnd().split("\n");
    expect(back).toHaveLength(3000);
    expect(back[2500]).toBe('{n:2500,s:"row 2500"}');
    expect(back[2999]).toBe('{n:2999,s:"row 2999"}');
    expect(logMessages(test, ex, "avro", "INFO").join("\n")).toContain("inferred schema from 100 row(s)");
    const all = (await stored(ex, "allBack")).trimEnd().split("\n");
    expect(all[2500]).toBe('{n:2500,s:"row 2500",late:"x"}');
    expect(all[0]).toBe('{n:0,s:"row 0",late:null}');
    expect(JSON.parse(await stored(ex, "infer"))).toEqual({
      type: "record",
      name: "root",
      namespace: "io.kestra.plugin.serdes.avro",
      fields: [
        { name: "n", type: ["null", "int"], doc: "", default: null },
        { name: "s", type: ["null", "string"], doc: "", default: null },
      ],
    });
  });

  it("rows that are lists are the record root of one array `value`, and come back as lists (Avro and Parquet)", async () => {
    // (A row that is an empty list, after others, changes nothing here; Kestra makes the schema a
    // union then, which it cannot write.)
    const source = await namespaceFile("infer-lists.ion", '["one","two"]\n["three"]\n[]');
    const ex = await test.run(
      flowOf(
        "avro_infer_lists",
        task("infer", INFER_AVRO_SCHEMA, `from: "${source}"`) +
          task("avro", ION_TO_AVRO, `from: "${source}"`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"') +
          task("parquet", ION_TO_PARQUET, `from: "${source}"`) +
          task("parquetBack", PARQUET_TO_ION, 'from: "{{ outputs.parquet.uri }}"'),
      ),
    );
    expect(
      ex.state.current,
      ["avro", "back", "parquet", "parquetBack"].flatMap((t) => errorMessages(test, ex, t)).join("\n"),
    ).toBe("SUCCESS");
    expect(JSON.parse(await stored(ex, "infer"))).toEqual({
      type: "record",
      name: "root",
      namespace: "io.kestra.plugin.serdes.avro",
      fields: [{ name: "value", type: { type: "array", items: ["null", "string"] } }],
    });
    const lists = '["one","two"]\n["three"]\n[]\n';
    expect(await stored(ex, "back")).toBe(lists);
    expect(await stored(ex, "parquetBack")).toBe(lists);
  });

  it("with a schema, a record of one array field takes rows that are lists whatever its names; only `root`/`value` gives lists back", async () => {
    const source = await namespaceFile("schema-lists.ion", '["one","two"]\n[]\n');
    const schema = (name: string, field: string, namespace?: string) =>
      `'${JSON.stringify({ type: "record", name, ...(namespace ? { namespace } : {}), fields: [{ name: field, type: { type: "array", items: "string" } }] })}'`;
    const tasks = [
      ["tags", schema("Tags", "tags")],
      ["other", schema("Other", "value")],
      ["root", schema("root", "value", "com.example")],
    ];
    const ex = await test.run(
      flowOf(
        "avro_schema_lists",
        tasks
          .map(
            ([id, s]) =>
              task(id!, ION_TO_AVRO, `from: "${source}"\nschema: ${s}`) +
              task(`${id}Back`, AVRO_TO_ION, `from: "{{ outputs.${id}.uri }}"`),
          )
          .join(""),
      ),
    );
    expect(ex.state.current, tasks.flatMap(([id]) => errorMessages(test, ex, id!)).join("\n")).toBe("SUCCESS");
    expect(await stored(ex, "tagsBack")).toBe('{tags:["one","two"]}\n{tags:[]}\n');
    expect(await stored(ex, "otherBack")).toBe('{value:["one","two"]}\n{value:[]}\n');
    expect(await stored(ex, "rootBack")).toBe('["one","two"]\n[]\n');
  });

  it("an empty file, a row that is no struct, a name Avro refuses: the task fails saying so, storing nothing", async () => {
    const empty = await namespaceFile("infer-empty.ion", "\n\n");
    const scalar = await namespaceFile("infer-scalar.ion", '{a:1}\n"text"\n');
    const badName = await namespaceFile("infer-name.ion", '{"order id":1}\n');
    const ex = await test.run(
      flowOf(
        "avro_infer_empty",
        task("avro", ION_TO_AVRO, `from: "${empty}"\nallowFailure: true`) +
          task("infer", INFER_AVRO_SCHEMA, `from: "${empty}"\nallowFailure: true`) +
          task("scalar", INFER_AVRO_SCHEMA, `from: "${scalar}"\nallowFailure: true`) +
          task("name", ION_TO_AVRO, `from: "${badName}"\nallowFailure: true`),
      ),
    );
    expect(errorMessages(test, ex, "avro").join("\n")).toMatch(
      /cannot infer a schema: 'kestra:\/\/\/company\/serdes\/_files\/infer-empty\.ion' has no rows; give `schema`/,
    );
    expect(errorMessages(test, ex, "infer").join("\n")).toMatch(
      /cannot infer a schema: '.*infer-empty\.ion' has no rows$/m,
    );
    expect(errorMessages(test, ex, "scalar").join("\n")).toMatch(
      /cannot infer a schema: line 2 of '.*infer-scalar\.ion' is not a struct or a list but a value of type string/,
    );
    expect(errorMessages(test, ex, "name").join("\n")).toMatch(
      /cannot infer a schema: the field name 'order id' is not an Avro name/,
    );
    for (const t of ["avro", "infer", "scalar", "name"]) expect(outputsOf(ex, t)).toBeFalsy();
    // At least one row, as in Kestra: the flow is refused.
    await expect(
      test.run(flowOf("avro_infer_zero", task("infer", INFER_AVRO_SCHEMA, `from: "${empty}"\nnumberOfRowsToScan: 0`))),
    ).rejects.toThrow(/numberOfRowsToScan/);
  });

  it("invalid Ion names its line, among the rows scanned or after them", async () => {
    const source = await namespaceFile("infer-bad.ion", "{a:1}\n{a:2}\n{a:\n{a:4}\n");
    const ex = await test.run(
      flowOf(
        "avro_infer_bad",
        task("scanned", ION_TO_AVRO, `from: "${source}"\nallowFailure: true`) +
          task("after", ION_TO_AVRO, `from: "${source}"\nnumberOfRowsToScan: 2\nallowFailure: true`) +
          task("infer", INFER_AVRO_SCHEMA, `from: "${source}"\nallowFailure: true`) +
          task("inferTwo", INFER_AVRO_SCHEMA, `from: "${source}"\nnumberOfRowsToScan: 2`),
      ),
    );
    for (const t of ["scanned", "after", "infer"])
      expect(errorMessages(test, ex, t).join("\n")).toMatch(/'kestra:\/\/\/.*infer-bad\.ion': invalid Ion at line 3/);
    // Two rows asked for: line 3 is never read.
    expect(JSON.parse(await stored(ex, "inferTwo"))).toMatchObject({ fields: [{ name: "a", type: ["null", "int"] }] });
  });
});
