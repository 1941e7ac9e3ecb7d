/**
 * IonToAvro and AvroToIon in real flows: Ion written to storage, converted to Avro and back, the
 * Avro bytes read independently with avsc, files avsc wrote read by AvroToIon, and bad inputs.
 */
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import avro from "avsc";
import { compress } from "snappyjs";
import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun, logMessages } from "@saker/engine/testing";
import { AVRO_TO_ION, flowWith, ION_TO_AVRO, task, useSerdesInstance } from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile, filesOf } = useSerdesInstance();

const ALL_TYPES = {
  type: "record",
  name: "All",
  namespace: "test",
  fields: [
    { name: "b", type: "boolean" },
    { name: "i", type: "int" },
    { name: "l", type: "long" },
    { name: "f", type: "float" },
    { name: "d", type: "double" },
    { name: "s", type: "string" },
    { name: "by", type: "bytes" },
    { name: "fx", type: { type: "fixed", name: "Four", size: 4 } },
    { name: "e", type: { type: "enum", name: "Color", symbols: ["RED", "GREEN"] } },
    { name: "arr", type: { type: "array", items: "int" } },
    { name: "m", type: { type: "map", values: "string" } },
    { name: "rec", type: { type: "record", name: "Inner", fields: [{ name: "x", type: "int" }] } },
    { name: "opt", type: ["null", "string"], default: null },
    { name: "ref", type: ["null", "Inner", { type: "array", items: "long" }] },
    { name: "dec", type: { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 } },
    { name: "decf", type: { type: "fixed", name: "D8", size: 8, logicalType: "decimal", precision: 12, scale: 3 } },
    { name: "u", type: { type: "string", logicalType: "uuid" } },
    { name: "day", type: { type: "int", logicalType: "date" } },
    { name: "tm", type: { type: "int", logicalType: "time-millis" } },
    { name: "tu", type: { type: "long", logicalType: "time-micros" } },
    { name: "ts", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "tsu", type: { type: "long", logicalType: "timestamp-micros" } },
    { name: "lts", type: { type: "long", logicalType: "local-timestamp-millis" } },
  ],
};

/** Row 1 holds typed Ion values, row 2 text as CSV gives it (and a few numbers for logical types). */
const ION_IN = [
  `{b:true,i:-5,l:9007199254740993,f:1.5e0,d:-2.25e0,s:"h\u00e9llo \\"q\\"",by:{{aGVsbG8=}},fx:"abcd",e:"GREEN",arr:[1,2,3],m:{k:"v"},rec:{x:7},opt:"here",ref:{x:9},dec:12.30,decf:-0.5,u:"123E4567-E89B-12D3-A456-426614174000",day:2024-02-29,tm:LocalTime::"10:20:30.123",tu:"10:20:30.123456",ts:2024-01-15T10:20:30.123Z,tsu:2024-01-15T10:20:30.123456+01:00,lts:LocalDateTime::"2024-01-15T10:20:30.5"}`,
  `{b:"no",i:"42",l:"-7",f:"2,5",d:"1e3",s:123,by:"raw",fx:"wxyz",e:"RED",arr:[],m:{},rec:{x:"8"},opt:null,ref:[5,"6"],dec:"1234,565",decf:3,u:"00000000-0000-0000-0000-000000000000",day:"2024-01-01",tm:"23:59",tu:"00:00:00",ts:"1700000000000",tsu:"2024-06-01T12:00:00",lts:"2024-06-01T12:00:00+02:00"}`,
].join("\n");

const ION_OUT = [
  `{b:true,i:-5,l:9007199254740993,f:1.5e0,d:-2.25e0,s:"h\u00e9llo \\"q\\"",by:{{aGVsbG8=}},fx:{{YWJjZA==}},e:"GREEN",arr:[1,2,3],m:{k:"v"},rec:{x:7},opt:"here",ref:{x:9},dec:12.30,decf:-0.500,u:"123e4567-e89b-12d3-a456-426614174000",day:2024-02-29,tm:LocalTime::"10:20:30.123",tu:LocalTime::"10:20:30.123456",ts:2024-01-15T10:20:30.123Z,tsu:2024-01-15T09:20:30.123456Z,lts:LocalDateTime::"2024-01-15T10:20:30.5"}`,
  `{b:false,i:42,l:-7,f:2.5e0,d:1000e0,s:"123",by:{{cmF3}},fx:{{d3h5eg==}},e:"RED",arr:[],m:{},rec:{x:8},opt:null,ref:[5,6],dec:1234.56,decf:3.000,u:"00000000-0000-0000-0000-000000000000",day:2024-01-01,tm:LocalTime::"23:59:00",tu:LocalTime::"00:00:00",ts:2023-11-14T22:13:20.000Z,tsu:2024-06-01T10:00:00.000000Z,lts:LocalDateTime::"2024-06-01T12:00:00"}`,
].join("\n");

/** A YAML block scalar (`schema: |`) of a schema. */
const schemaProp = (schema: unknown) =>
  `schema: |\n${JSON.stringify(schema, null, 2)
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n")}`;

/** avsc's documented way to read every long: as a bigint. */
const bigLong = () =>
  avro.types.LongType.__with({
    fromBuffer: (b: Buffer) => b.readBigInt64LE(),
    toBuffer: (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(n);
      return b;
    },
    fromJSON: BigInt,
    toJSON: Number,
    isValid: (n: unknown) => typeof n === "bigint",
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });

/** Records of an Avro file decoded by avsc alone (logical types as their raw values, plain longs as bigints). */
async function avscRecords(bytes: Buffer): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const decoder = new avro.streams.BlockDecoder({
    parseHook: (schema: unknown) => avro.Type.forSchema(schema as never, { registry: { long: bigLong() } } as never),
  } as never);
  for await (const r of Readable.from([bytes]).pipe(decoder)) out.push({ ...(r as Record<string, unknown>) });
  return out;
}

/** Avro file bytes written by avsc's own BlockEncoder. */
async function avscFile(schema: unknown, records: unknown[], opts: Record<string, unknown> = {}): Promise<Buffer> {
  const encoder = new avro.streams.BlockEncoder(schema as never, opts as never);
  const chunks: Buffer[] = [];
  encoder.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => encoder.on("end", r));
  for (const r of records) encoder.write(r);
  encoder.end();
  await ended;
  return Buffer.concat(chunks);
}

const ionValues = (text: string) => JSON.parse(JSON.stringify(ion.loadAll(text)));

describe("IonToAvro and AvroToIon", () => {
  it("round-trips every primitive, complex and logical type, text included, and avsc reads the file", async () => {
    // A namespace file: the blob `{{…}}` would be an expression in a flow.
    const source = await namespaceFile("all.ion", Buffer.from(ION_IN));
    const ex = await test.run(
      flowWith(
        "avro_round",
        "x",
        ".txt",
        task(
          "avro",
          ION_TO_AVRO,
          `from: "${source}"\ndecimalSeparator: ","\ntimeZoneId: Europe/Paris\n${schemaProp(ALL_TYPES)}`,
        ) + task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(
      ex.state.current,
      errorMessages(test, ex, "avro")
        .concat(errorMessages(test, ex, "back"))
        .join(),
    ).toBe("SUCCESS");
    expect(outputsOf(ex, "avro").uri).toMatch(/\.avro$/);
    expect(outputsOf(ex, "back").uri).toMatch(/\.ion$/);
    expect((await stored(ex, "back")).split("\n")).toEqual([...ION_OUT.split("\n"), ""]);

    // The Avro file itself, read by avsc with no help from us: the stored forms of the logical types.
    const [one, two] = await avscRecords(await storedBytes(outputsOf(ex, "avro").uri as string));
    expect(one).toMatchObject({
      b: true,
      i: -5,
      f: 1.5,
      s: 'h\u00e9llo "q"',
      e: "GREEN",
      opt: "here",
      u: "123e4567-e89b-12d3-a456-426614174000",
      day: Date.UTC(2024, 1, 29) / 86_400_000,
      tm: ((10 * 60 + 20) * 60 + 30) * 1000 + 123,
      l: 9007199254740993n,
      tu: (((10 * 60 + 20) * 60 + 30) * 1000 + 123) * 1000 + 456,
      ts: Date.UTC(2024, 0, 15, 10, 20, 30, 123),
      tsu: Date.UTC(2024, 0, 15, 9, 20, 30, 123) * 1000 + 456,
      lts: Date.UTC(2024, 0, 15, 10, 20, 30, 500),
    });
    expect(one!.dec).toEqual(Buffer.from([0x04, 0xce])); // 1230, scale 2
    expect(one!.decf).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x0c])); // -500, scale 3
    expect(one!.by).toEqual(Buffer.from("hello"));
    expect(two).toMatchObject({ b: false, i: 42, l: -7n, f: 2.5, d: 1000, s: "123", opt: null, ts: 1_700_000_000_000 });
    expect(two!.dec).toEqual(Buffer.from([0x01, 0xe2, 0x40])); // 123456: 1234.565 rounded half to even
  });

  it("reads a file avsc wrote: deflate codec, many blocks, unions and logical types", async () => {
    const schema = {
      type: "record",
      name: "Event",
      fields: [
        { name: "id", type: "long" },
        { name: "kind", type: { type: "enum", name: "Kind", symbols: ["A", "B"] } },
        { name: "score", type: ["null", "double"], default: null },
        { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
        { name: "on", type: { type: "int", logicalType: "date" } },
        { name: "tags", type: { type: "array", items: "string" } },
      ],
    };
    const records = Array.from({ length: 500 }, (_, n) => ({
      id: n,
      kind: n % 2 ? "B" : "A",
      score: n % 3 === 0 ? null : n / 4,
      at: Date.UTC(2024, 0, 1) + n * 1000,
      on: 19_723 + n,
      tags: n % 5 === 0 ? [] : [`t${n}`],
    }));
    const uri = await namespaceFile(
      "events.avro",
      await avscFile(schema, records, { codec: "deflate", blockSize: 512 }),
    );
    const ex = await test.run(flowWith("avro_avsc", "x", ".txt", task("ion", AVRO_TO_ION, `from: "${uri}"`)));
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    const text = await stored(ex, "ion");
    const lines = text.trim().split("\n");
    expect(lines).toHaveLength(500);
    expect(lines[0]).toBe('{id:0,kind:"A",score:null,at:2024-01-01T00:00:00.000Z,on:2024-01-01,tags:[]}');
    expect(lines[7]).toBe('{id:7,kind:"B",score:1.75e0,at:2024-01-01T00:00:07.000Z,on:2024-01-08,tags:["t7"]}');
    const values = ionValues(text);
    expect(values.map((v: { id: number }) => v.id)).toEqual(records.map((r) => r.id));
    expect(values[499]).toMatchObject({ id: 499, kind: "B", score: 124.75, tags: ["t499"] });
  });

  it("reads snappy files (as Java and Spark write them); an unknown codec or a bad checksum fails", async () => {
    const schema = {
      type: "record",
      name: "Z",
      fields: [
        { name: "n", type: "int" },
        { name: "s", type: "string" },
      ],
    };
    const records = Array.from({ length: 2000 }, (_, n) => ({ n, s: `value ${n % 10}` }));
    let corrupt = false;
    const snappy = (buf: Buffer, cb: (e: Error | null, b?: Buffer) => void) => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(corrupt ? crc32(buf) ^ 1 : crc32(buf));
      cb(null, Buffer.concat([Buffer.from(compress(buf)), crc]));
    };
    const opts = { codec: "snappy", codecs: { snappy }, blockSize: 4096 };
    const good = await namespaceFile("snappy.avro", await avscFile(schema, records, opts));
    corrupt = true;
    const bad = await namespaceFile("snappy-bad.avro", await avscFile(schema, records.slice(0, 10), opts));
    const zstd = await namespaceFile(
      "zstd.avro",
      await avscFile(schema, records.slice(0, 10), { codec: "zstandard", codecs: { zstandard: snappy } }),
    );
    const ex = await test.run(
      flowWith(
        "avro_snappy",
        "x",
        ".txt",
        task("good", AVRO_TO_ION, `from: "${good}"`) +
          task("bad", AVRO_TO_ION, `from: "${bad}"\nallowFailure: true`) +
          task("zstd", AVRO_TO_ION, `from: "${zstd}"\nallowFailure: true`),
      ),
    );
    expect(taskRun(ex, "good").state.current, errorMessages(test, ex, "good").join()).toBe("SUCCESS");
    const lines = (await stored(ex, "good")).trim().split("\n");
    expect(lines).toHaveLength(2000);
    expect(lines[1999]).toBe('{n:1999,s:"value 9"}');
    expect(errorMessages(test, ex, "bad").join("\n")).toMatch(
      /snappy-bad\.avro' at block 1 \(after record 0\): snappy codec decompression error \(checksum mismatch\)/,
    );
    expect(errorMessages(test, ex, "zstd").join("\n")).toMatch(/zstd\.avro' in its header: unknown codec: zstandard/);
  });

  it("an Avro file with no record gives an empty Ion file; an Ion file with no row an Avro file with no record", async () => {
    const schema = { type: "record", name: "E", fields: [{ name: "a", type: "int" }] };
    const ex = await test.run(
      flowWith(
        "avro_empty",
        "",
        ".ion",
        task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "avro").join()).toBe("SUCCESS");
    expect(await avscRecords(await storedBytes(outputsOf(ex, "avro").uri as string))).toEqual([]);
    expect(await stored(ex, "back")).toBe("");
  });

  it("the old ids AvroWriter and AvroReader run the same tasks; a row given as a list is read by position", async () => {
    const schema = {
      type: "record",
      name: "P",
      fields: [
        { name: "a", type: "int" },
        { name: "b", type: ["null", "string"] },
      ],
    };
    const ex = await test.run(
      flowWith(
        "avro_alias",
        '["1","x"]\n["2"]\n',
        ".ion",
        task(
          "avro",
          "io.kestra.plugin.serdes.avro.AvroWriter",
          `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`,
        ) + task("back", "io.kestra.plugin.serdes.avro.AvroReader", 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "avro").join()).toBe("SUCCESS");
    expect(await stored(ex, "back")).toBe('{a:1,b:"x"}\n{a:2,b:null}\n');
  });

  it("reads dates and times with Java patterns, in timeZoneId when they have no offset", async () => {
    const schema = {
      type: "record",
      name: "T",
      fields: [
        { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
        { name: "on", type: { type: "int", logicalType: "date" } },
        { name: "time", type: { type: "int", logicalType: "time-millis" } },
        { name: "local", type: { type: "long", logicalType: "local-timestamp-micros" } },
      ],
    };
    const rows =
      '{at:"2024-01-15 10:20:30",on:"15/01/2024",time:"02:05 PM",local:"2024-01-15 10:20:30"}\n' +
      '{at:"2024-07-15 10:20:30",on:"29/02/2024",time:"12:00 AM",local:"2024-07-15 23:59:59"}\n' +
      '{at:2024-07-15T10:20:30.250+05:30,on:2024-03-01,time:"13:14:15.5",local:2024-07-15T10:20:30Z}\n';
    const ex = await test.run(
      flowWith(
        "avro_formats",
        rows,
        ".ion",
        task(
          "avro",
          ION_TO_AVRO,
          `from: "{{ outputs.src.uri }}"\ndatetimeFormat: "yyyy-MM-dd' 'HH:mm:ss"\ndateFormat: dd/MM/yyyy\ntimeFormat: "hh:mm a"\ntimeZoneId: America/New_York\n${schemaProp(schema)}`,
        ) + task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "avro").join()).toBe("SUCCESS");
    // New York is UTC-5 in January, UTC-4 in July; Ion timestamps fall back to ISO 8601 and keep their offset.
    expect((await stored(ex, "back")).split("\n")).toEqual([
      '{at:2024-01-15T15:20:30.000Z,on:2024-01-15,time:LocalTime::"14:05:00",local:LocalDateTime::"2024-01-15T10:20:30"}',
      '{at:2024-07-15T14:20:30.000Z,on:2024-02-29,time:LocalTime::"00:00:00",local:LocalDateTime::"2024-07-15T23:59:59"}',
      '{at:2024-07-15T04:50:30.250Z,on:2024-03-01,time:LocalTime::"13:14:15.5",local:LocalDateTime::"2024-07-15T06:20:30"}',
      "",
    ]);
    const bad = await test.run(
      flowWith(
        "avro_formats_bad",
        '{at:"2024-02-30 10:00:00",on:"01/01/2024",time:"01:00 AM",local:"2024-01-01 00:00:00"}',
        ".ion",
        task(
          "avro",
          ION_TO_AVRO,
          `from: "{{ outputs.src.uri }}"\ndatetimeFormat: "yyyy-MM-dd' 'HH:mm:ss"\ndateFormat: dd/MM/yyyy\ntimeFormat: "hh:mm a"\n${schemaProp(schema)}`,
        ),
      ),
    );
    expect(errorMessages(test, bad, "avro").join("\n")).toMatch(
      /row 1, field 'at': "2024-02-30 10:00:00" is not a date-time \(datetimeFormat 'yyyy-MM-dd' 'HH:mm:ss'\)/,
    );
  });

  it("inferAllFields applies trueValues, falseValues and nullValues to every field; nullValues make nulls", async () => {
    const schema = {
      type: "record",
      name: "F",
      fields: [
        { name: "flag", type: ["null", "boolean", "string"] },
        { name: "n", type: ["null", "int"] },
      ],
    };
    const ion = '{flag:"yes",n:"NA"}\n{flag:"maybe",n:"3"}\n';
    const ex = await test.run(
      flowWith(
        "avro_infer",
        ion,
        ".ion",
        task("plain", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\n${schemaProp(schema)}`) +
          task("infer", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\ninferAllFields: true\n${schemaProp(schema)}`) +
          task("plain_ion", AVRO_TO_ION, 'from: "{{ outputs.plain.uri }}"') +
          task("infer_ion", AVRO_TO_ION, 'from: "{{ outputs.infer.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "plain").join()).toBe("SUCCESS");
    // Without inferAllFields the union tries null (nullValues), then boolean (trueValues), then string.
    expect(await stored(ex, "plain_ion")).toBe('{flag:true,n:null}\n{flag:"maybe",n:3}\n');
    expect(await stored(ex, "infer_ion")).toBe('{flag:true,n:null}\n{flag:"maybe",n:3}\n');
  });
});

describe("trueValues, falseValues and nullValues", () => {
  it("are compared ignoring case letter by letter, as Java's equalsIgnoreCase (ı is I, as in Kestra)", async () => {
    const fields = [
      { name: "b", type: "boolean" },
      { name: "n", type: ["null", "int"] },
    ];
    const lists = 'trueValues: ["evet"]\nfalseValues: ["HAYIR"]\nnullValues: ["YOK"]';
    const props = `from: "{{ outputs.src.uri }}"\n${lists}\n${schemaProp({ type: "record", name: "T", fields })}`;
    const tasks = task("avro", ION_TO_AVRO, props) + task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"');
    const ex = await test.run(flowWith("avro_values_case", '{b:"hayır",n:"yOk"}\n{b:"EVET",n:"1"}\n', ".ion", tasks));
    expect(ex.state.current, errorMessages(test, ex, "avro").join()).toBe("SUCCESS");
    expect(await stored(ex, "back")).toBe("{b:false,n:null}\n{b:true,n:1}\n");
  });
});

describe("bad input", () => {
  const SMALL = {
    type: "record",
    name: "S",
    fields: [
      { name: "id", type: "int" },
      { name: "amount", type: "double" },
    ],
  };

  it("garbage is not an Avro file: the task fails in the header and stores nothing", async () => {
    const uri = await namespaceFile("garbage.avro", Buffer.from("this is not avro at all, not even close"));
    const ex = await test.run(flowWith("avro_garbage", "x", ".txt", task("ion", AVRO_TO_ION, `from: "${uri}"`)));
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(
      /invalid Avro file '.*garbage\.avro' in its header: invalid magic bytes/,
    );
    expect(taskRun(ex, "ion").outputs ?? {}).not.toHaveProperty("uri");
    expect(filesOf(ex.id)).toEqual(["x.txt"].map(() => expect.stringMatching(/\.txt$/)));
  });

  it("a file cut in half fails naming the block it ends in, and stores no half Ion file", async () => {
    const records = Array.from({ length: 300 }, (_, n) => ({ id: n, amount: n * 1.5 }));
    const whole = await avscFile(SMALL, records, { blockSize: 256 });
    const uri = await namespaceFile("cut.avro", whole.subarray(0, Math.floor(whole.length / 2)));
    const ex = await test.run(flowWith("avro_cut", "x", ".txt", task("ion", AVRO_TO_ION, `from: "${uri}"`)));
    expect(ex.state.current).toBe("FAILED");
    const message = errorMessages(test, ex, "ion").join("\n");
    expect(message).toMatch(
      /invalid Avro file '.*cut\.avro' at block \d+ \(after record \d+\): the file ends inside a block/,
    );
    const [, block, after] = /at block (\d+) \(after record (\d+)\)/.exec(message)!;
    expect(Number(block)).toBeGreaterThan(1);
    expect(Number(after)).toBeGreaterThan(0);
    expect(Number(after)).toBeLessThan(300);
    expect(filesOf(ex.id)).toHaveLength(1);

    const header = await namespaceFile("header.avro", whole.subarray(0, 10));
    const ex2 = await test.run(flowWith("avro_cut2", "x", ".txt", task("ion", AVRO_TO_ION, `from: "${header}"`)));
    expect(ex2.state.current).toBe("FAILED");
    expect(errorMessages(test, ex2, "ion").join("\n")).toMatch(/in its header: the file ends inside its header/);
  });

  it("a damaged sync marker names the block", async () => {
    const whole = await avscFile(
      SMALL,
      Array.from({ length: 300 }, (_, n) => ({ id: n, amount: n })),
      { blockSize: 256 },
    );
    const bad = Buffer.from(whole);
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 0xff; // inside the last block's sync marker
    const uri = await namespaceFile("sync.avro", bad);
    const ex = await test.run(flowWith("avro_sync", "x", ".txt", task("ion", AVRO_TO_ION, `from: "${uri}"`)));
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(/at block \d+ \(after record \d+\): invalid sync marker/);
    expect(filesOf(ex.id)).toHaveLength(1);
  });

  it("a row that does not fit the schema names the row and the field; onBadLines WARN or SKIP leaves it out", async () => {
    const ionRows = '{id:1,amount:2.5e0}\n{id:2,amount:"lots"}\n{id:3,amount:4}\n';
    const ex = await test.run(
      flowWith(
        "avro_badrow",
        ionRows,
        ".ion",
        task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\n${schemaProp(SMALL)}`),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "avro").join("\n")).toMatch(/row 2, field 'amount': "lots" is not a double/);
    expect(taskRun(ex, "avro").outputs ?? {}).not.toHaveProperty("uri");
    expect(filesOf(ex.id)).toEqual([expect.stringMatching(/\.ion$/)]);

    const warn = await test.run(
      flowWith(
        "avro_badrow_warn",
        ionRows,
        ".ion",
        task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\nonBadLines: WARN\n${schemaProp(SMALL)}`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(warn.state.current, errorMessages(test, warn, "avro").join()).toBe("SUCCESS");
    expect(await stored(warn, "back")).toBe("{id:1,amount:2.5e0}\n{id:3,amount:4e0}\n");
    const warnings = logMessages(test, warn, "avro", "WARN").join("\n");
    expect(warnings).toMatch(/row 2 left out: field 'amount'/);

    // A bad value of a nullable field is written as null, with a warning naming the row.
    const nullable = {
      type: "record",
      name: "S",
      fields: [
        { name: "id", type: "int" },
        { name: "amount", type: ["null", "double"] },
      ],
    };
    const kept = await test.run(
      flowWith(
        "avro_badrow_null",
        ionRows,
        ".ion",
        task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\nonBadLines: WARN\n${schemaProp(nullable)}`) +
          task("back", AVRO_TO_ION, 'from: "{{ outputs.avro.uri }}"'),
      ),
    );
    expect(kept.state.current, errorMessages(test, kept, "avro").join()).toBe("SUCCESS");
    expect(await stored(kept, "back")).toBe("{id:1,amount:2.5e0}\n{id:2,amount:null}\n{id:3,amount:4e0}\n");
    expect(logMessages(test, kept, "avro", "WARN").join("\n")).toMatch(
      /row 2, field 'amount': "lots" fits no type of union \[null, double\].*written as null/,
    );
  });

  it("onBadLines WARN logs the first 100 warnings and then a total; SKIP logs nothing", async () => {
    const ionRows = '{id:1,amount:2.5e0}\n{id:2,amount:"lots"}\n'.repeat(150);
    const run = (id: string, mode: string, schema: unknown) =>
      test.run(
        flowWith(
          id,
          ionRows,
          ".ion",
          task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\nonBadLines: ${mode}\n${schemaProp(schema)}`),
        ),
      );
    const warn = await run("avro_cap_warn", "WARN", SMALL);
    expect(warn.state.current, errorMessages(test, warn, "avro").join()).toBe("SUCCESS");
    const warnings = logMessages(test, warn, "avro", "WARN");
    expect(warnings).toHaveLength(101);
    expect(warnings[0]).toMatch(/^row 2 left out: field 'amount'/);
    expect(warnings[99]).toMatch(/^row 200 left out/);
    expect(warnings[100]).toBe(
      "150 bad row(s) left out (onBadLines: WARN); 50 warning(s) past the first 100 not logged",
    );
    // bad values written as null leave no row out, and are capped the same way
    const nullable = {
      type: "record",
      name: "S",
      fields: [
        { name: "id", type: "int" },
        { name: "amount", type: ["null", "double"] },
      ],
    };
    const kept = await run("avro_cap_null", "WARN", nullable);
    const keptWarnings = logMessages(test, kept, "avro", "WARN");
    expect(keptWarnings).toHaveLength(101);
    expect(keptWarnings[100]).toBe("No row left out; 50 warning(s) past the first 100 not logged");
    // SKIP is silent, as its description says: no total either
    const skip = await run("avro_cap_skip", "SKIP", SMALL);
    expect(skip.state.current, errorMessages(test, skip, "avro").join()).toBe("SUCCESS");
    expect(logMessages(test, skip, "avro", "WARN")).toEqual([]);
  });

  it("nested fields and list items are named; a missing non-null field is an error; strictSchema names extra fields", async () => {
    const schema = {
      type: "record",
      name: "N",
      fields: [
        { name: "id", type: "int" },
        {
          name: "addr",
          type: { type: "record", name: "A", fields: [{ name: "zips", type: { type: "array", items: "int" } }] },
        },
      ],
    };
    const run = async (id: string, row: string, extra = "") => {
      const ex = await test.run(
        flowWith(
          id,
          row,
          ".ion",
          task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\n${extra}${schemaProp(schema)}`),
        ),
      );
      expect(ex.state.current).toBe("FAILED");
      return errorMessages(test, ex, "avro").join("\n");
    };
    expect(await run("avro_nested", '{id:1,addr:{zips:[1,"x"]}}')).toMatch(
      /row 1, field 'addr\.zips\[1\]': "x" is not an int/,
    );
    expect(await run("avro_missing", "{addr:{zips:[]}}")).toMatch(/row 1, field 'id': null is not an int/);
    expect(await run("avro_strict", "{id:1,addr:{zips:[]},other:2,more:3}", "strictSchema: true\n")).toMatch(
      /row 1: fields not in the schema: other, more \(strictSchema\)/,
    );
  });

  it("an invalid schema fails naming `schema`, before reading anything", async () => {
    const run = async (id: string, schema: string) => {
      const ex = await test.run(
        flowWith(id, "{a:1}", ".ion", task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\nschema: '${schema}'`)),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(filesOf(ex.id)).toHaveLength(1);
      return errorMessages(test, ex, "avro").join("\n");
    };
    expect(await run("avro_schema_json", "{not json")).toMatch(/invalid Avro schema in 'schema': not JSON/);
    expect(await run("avro_schema_type", '{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}')).toMatch(
      /invalid Avro schema in 'schema': undefined type name: nope/,
    );
    expect(await run("avro_schema_record", '"int"')).toMatch(/the schema must be a record, not int/);
  });

  it("an invalid date pattern or time zone is named", async () => {
    const schema = { type: "record", name: "D", fields: [{ name: "d", type: { type: "int", logicalType: "date" } }] };
    const ex = await test.run(
      flowWith(
        "avro_pattern",
        '{d:"2024"}',
        ".ion",
        task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\ndateFormat: "yyyy-QQ"\n${schemaProp(schema)}`),
      ),
    );
    expect(errorMessages(test, ex, "avro").join("\n")).toMatch(
      /dateFormat: 'yyyy-QQ' is not a date-time pattern: unknown pattern letter 'Q'/,
    );
    const zone = await test.run(
      flowWith(
        "avro_zone",
        '{d:"2024"}',
        ".ion",
        task("avro", ION_TO_AVRO, `from: "{{ outputs.src.uri }}"\ntimeZoneId: Mars/Base\n${schemaProp(schema)}`),
      ),
    );
    expect(errorMessages(test, zone, "avro").join("\n")).toMatch(/timeZoneId: unknown time zone 'Mars\/Base'/);
  });
});
