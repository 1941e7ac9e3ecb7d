/**
 * ProtobufToIon in real flows: descriptor sets built here with protobufjs (as protoc
 * `--include_imports --descriptor_set_out` would), messages encoded by protobufjs, single and
 * length-delimited, read with an older and a newer descriptor as Kestra's test does, every field
 * kind and well-known type written as Kestra's ProtoJSON, bad descriptors, types and messages.
 */
import * as ion from "ion-js";
import protobuf from "protobufjs";
import descriptorExtension from "protobufjs/ext/descriptor.js";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun } from "@saker/engine/testing";
import { flowWith, PROTOBUF_TO_ION, task, useSerdesInstance } from "../test/support.ts";

const { test, stored, namespaceFile } = useSerdesInstance();

const WELL_KNOWN = ["timestamp", "duration", "struct", "wrappers", "any"];

/** A root of `source` (with the well-known types it imports), field names as written. */
function rootOf(source: string): protobuf.Root {
  const root = new protobuf.Root();
  for (const name of WELL_KNOWN) root.addJSON(protobuf.common.get(`google/protobuf/${name}.proto`)!.nested!);
  protobuf.parse(source, root, { keepCase: true });
  root.resolveAll();
  return root;
}

/** The descriptor set of a root, `without` the files of these packages (a set made without --include_imports). */
function descriptorSet(root: protobuf.Root, without: string[] = []): Buffer {
  const set = root.toDescriptor("proto3");
  set.file = set.file.filter((file) => !without.includes(file.package ?? ""));
  return Buffer.from(descriptorExtension.FileDescriptorSet.encode(set).finish());
}

const V1 = `syntax = "proto3";
package shop.v1;
message Item {
  string item_id = 1;
  string title = 2;
  string maker = 3;
}`;

const V2 = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
message Item {
  string item_id = 1;
  string title = 2;
  string maker = 3;
  string summary = 4;
  optional google.protobuf.Timestamp created_at = 5;
}
message Timestamp {
  int64 seconds = 1;
}`;

const FULL = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/any.proto";
enum Status { STATUS_UNKNOWN = 0; ACTIVE = 1; RETIRED = 2; }
message Item {
  message Dimensions { double w = 1; double h = 2; }
  string item_id = 1;
  string title = 2;
  int64 stock = 3;
  uint32 rank = 4;
  double price = 5;
  float weight = 6;
  bool on_sale = 7;
  bytes thumb = 8;
  Status status = 9;
  repeated string tags = 10;
  map<string, int32> counts = 11;
  Dimensions dims = 12;
  google.protobuf.Timestamp created_at = 13;
  google.protobuf.Duration ttl = 14;
  google.protobuf.Struct extra = 15;
  google.protobuf.Int64Value limit = 16;
  optional int32 zero_kept = 17;
  int32 zero_dropped = 18;
  oneof pick { string label = 19; int32 code = 20; }
  google.protobuf.Any detail = 21;
  double nan = 22;
}`;

const v1 = rootOf(V1);
const v2 = rootOf(V2);
const encode = (root: protobuf.Root, value: object) => {
  const type = root.lookupType("shop.v1.Item");
  return Buffer.from(type.encode(type.fromObject(value)).finish());
};
const delimited = (root: protobuf.Root, values: object[]) => {
  const type = root.lookupType("shop.v1.Item");
  return Buffer.concat(values.map((value) => Buffer.from(type.encodeDelimited(type.fromObject(value)).finish())));
};
const LAMP = { item_id: "1", title: "lamp", maker: "acme", summary: "a desk lamp" };
const CHAIR = { item_id: "2", title: "chair", maker: "oak & co", summary: "a chair" };

async function toIon(id: string, from: string, descriptor: string, options = "") {
  return test.run(
    flowWith(
      id,
      "x",
      ".txt",
      task(
        "out",
        PROTOBUF_TO_ION,
        `from: "${from}"\ndescriptorFile: "${descriptor}"\ntypeName: shop.v1.Item${options && `\n${options}`}`,
      ),
    ),
  );
}

async function output(execution: Awaited<ReturnType<typeof toIon>>): Promise<string> {
  expect(execution.state.current, errorMessages(test, execution, "out").join("\n")).toBe("SUCCESS");
  return stored(execution, "out");
}

async function failure(execution: Awaited<ReturnType<typeof toIon>>): Promise<string> {
  expect(execution.state.current).toBe("FAILED");
  expect(taskRun(execution, "out").outputs ?? {}).not.toHaveProperty("uri");
  return errorMessages(test, execution, "out").join("\n");
}

describe("ProtobufToIon", () => {
  it("reads one message and a delimited stream with the older and the newer descriptor, as Kestra's test", async () => {
    const descriptors = [
      await namespaceFile("v1.desc", descriptorSet(v1)),
      await namespaceFile("v2.desc", descriptorSet(v2)),
    ];
    const singles = [
      await namespaceFile("v1-single.pb", encode(v1, LAMP)),
      await namespaceFile("v2-single.pb", encode(v2, LAMP)),
    ];
    const streams = [
      await namespaceFile("v1-delimited.pb", delimited(v1, [LAMP, CHAIR])),
      await namespaceFile("v2-delimited.pb", delimited(v2, [LAMP, CHAIR])),
    ];
    let n = 0;
    for (const descriptor of descriptors)
      for (const [single, stream] of [0, 1].map((i) => [singles[i]!, streams[i]!] as const)) {
        const one = await toIon(`pb_single_${n}`, single, descriptor);
        const text = await output(one);
        expect(text).toMatch(/"lamp"/);
        expect(text).toMatch(/"acme"/);
        expect(outputsOf(one, "out")).toMatchObject({ size: 1, uri: expect.stringMatching(/\.ion$/) });
        const two = await toIon(`pb_delimited_${n++}`, stream, descriptor, "delimited: true");
        const lines = (await output(two)).trimEnd().split("\n");
        expect(lines).toHaveLength(2);
        expect(lines[1]).toMatch(/"chair"/);
        expect(outputsOf(two, "out").size).toBe(2);
        expect(test.instance.metrics.byExecution(two.id).map((m) => [m.name, m.value])).toEqual([["records", 2]]);
      }
    // read with the newer descriptor, the fields of the newer writer are all there, in lowerCamelCase
    const newer = await toIon("pb_newer", streams[1]!, descriptors[1]!, "delimited: true");
    expect(await output(newer)).toBe(
      '{itemId:"1",title:"lamp",maker:"acme",summary:"a desk lamp"}\n{itemId:"2",title:"chair",maker:"oak & co",summary:"a chair"}\n',
    );
  });

  it("errorOnUnknownFields fails on fields the descriptor does not declare, as Kestra's test", async () => {
    const stream = await namespaceFile("v2-stream.pb", delimited(v2, [LAMP]));
    const older = await namespaceFile("v1-older.desc", descriptorSet(v1));
    const lenient = await toIon("pb_unknown_ok", stream, older, "delimited: true");
    expect(await output(lenient)).toBe('{itemId:"1",title:"lamp",maker:"acme"}\n');
    const strict = await toIon("pb_unknown", stream, older, "delimited: true\nerrorOnUnknownFields: true");
    expect(await failure(strict)).toMatch(
      /invalid Protobuf in '.*' \(message 1\): fields 4 are not fields of shop\.v1\.Item \(errorOnUnknownFields\)/,
    );
  });

  it("writes every kind of field and the well-known types as Kestra's ProtoJSON", async () => {
    const root = rootOf(FULL);
    const dims = root.lookupType("shop.v1.Item.Dimensions");
    const message = {
      item_id: "A1",
      title: "Lamp",
      stock: "12345678901234",
      rank: 7,
      price: 19.5,
      weight: 0.1,
      on_sale: true,
      thumb: Buffer.from([1, 2, 3]),
      status: "ACTIVE",
      tags: ["a", "b"],
      counts: { x: 1 },
      dims: { w: 2, h: 0.5 },
      created_at: { seconds: 1_700_000_000, nanos: 123_000_000 },
      ttl: { seconds: 90, nanos: 500_000_000 },
      extra: {
        fields: {
          // protobufjs's own definitions of the well-known types name their fields in camelCase
          n: { numberValue: 1 },
          s: { stringValue: "v" },
          l: { listValue: { values: [{ boolValue: true }, { nullValue: 0 }] } },
        },
      },
      limit: { value: 5 },
      zero_kept: 0,
      zero_dropped: 0,
      code: 0,
      detail: {
        type_url: "type.googleapis.com/shop.v1.Item.Dimensions",
        value: dims.encode(dims.fromObject({ w: 1 })).finish(),
      },
      nan: NaN,
    };
    const from = await namespaceFile("full.pb", encode(root, message));
    const descriptor = await namespaceFile("full.desc", descriptorSet(root));
    const text = await output(await toIon("pb_full", from, descriptor));
    expect(text).toBe(
      '{itemId:"A1",title:"Lamp",stock:"12345678901234",rank:7,price:19.5e0,weight:0.1e0,onSale:true,thumb:"AQID",' +
        'status:"ACTIVE",tags:["a","b"],counts:{x:1},dims:{w:2e0,h:0.5e0},createdAt:"2023-11-14T22:13:20.123Z",' +
        'ttl:"90.500s",extra:{n:1e0,s:"v",l:[true,null]},limit:"5",zeroKept:0,code:0,' +
        `detail:{'@type':"type.googleapis.com/shop.v1.Item.Dimensions",w:1e0},'nan':"NaN"}\n`,
    );
    expect(ion.loadAll(text)).toHaveLength(1);
  });

  it("a message with no field set gives no value; an empty file none; a namespace file as nsfile:// is read", async () => {
    const stream = await namespaceFile("with-empty.pb", delimited(v1, [LAMP, {}, CHAIR]));
    await namespaceFile("ns.desc", descriptorSet(v1));
    const ex = await toIon("pb_empty_message", stream, "nsfile:///ns.desc", "delimited: true");
    expect((await output(ex)).trimEnd().split("\n")).toHaveLength(2);
    expect(outputsOf(ex, "out").size).toBe(2);
    const empty = await namespaceFile("empty.pb", Buffer.alloc(0));
    const none = await toIon("pb_empty_file", empty, "nsfile:///ns.desc");
    expect(await output(none)).toBe("");
    expect(outputsOf(none, "out").size).toBe(0);
  });

  it("reads 100,000 delimited messages as they stream", async () => {
    const values = Array.from({ length: 100_000 }, (_, n) => ({ item_id: String(n), title: `item ${n}`, maker: "m" }));
    const stream = await namespaceFile("big.pb", delimited(v1, values));
    const descriptor = await namespaceFile("big.desc", descriptorSet(v1));
    const ex = await toIon("pb_big", stream, descriptor, "delimited: true");
    const lines = (await output(ex)).trimEnd().split("\n");
    expect(lines).toHaveLength(100_000);
    expect(lines[99_999]).toBe('{itemId:"99999",title:"item 99999",maker:"m"}');
  });

  it("fails clearly: unknown type, a file that is no descriptor set, a missing import, bad and cut messages, missing files", async () => {
    const descriptor = await namespaceFile("bad-cases.desc", descriptorSet(v2));
    const message = await namespaceFile("bad-cases.pb", encode(v2, LAMP));
    const wrongType = await test.run(
      flowWith(
        "pb_wrong_type",
        "x",
        ".txt",
        task("out", PROTOBUF_TO_ION, `from: "${message}"\ndescriptorFile: "${descriptor}"\ntypeName: Item`),
      ),
    );
    expect(await failure(wrongType)).toMatch(
      /typeName: no message type 'Item' in the descriptor set \(its types: .*shop\.v1\.Item.*shop\.v1\.Timestamp/,
    );
    const garbage = await namespaceFile("garbage.desc", Buffer.from("this is not a descriptor"));
    expect(await failure(await toIon("pb_garbage_desc", message, garbage))).toMatch(
      /descriptorFile '.*garbage\.desc': it is not a descriptor set/,
    );
    const noImports = await namespaceFile("no-imports.desc", descriptorSet(v2, ["google.protobuf"]));
    expect(await failure(await toIon("pb_no_imports", message, noImports))).toMatch(
      /descriptorFile '.*no-imports\.desc': .*google\.protobuf\.Timestamp/,
    );
    const bad = await namespaceFile("bad.pb", Buffer.from([0x0a, 0x05, 0x41]));
    expect(await failure(await toIon("pb_bad_message", bad, descriptor))).toMatch(
      /invalid Protobuf in '.*bad\.pb' \(message 1\): index out of range/,
    );
    const whole = delimited(v1, [LAMP, CHAIR]);
    const cut = await namespaceFile("cut.pb", whole.subarray(0, whole.length - 3));
    expect(await failure(await toIon("pb_cut", cut, descriptor, "delimited: true"))).toMatch(
      /invalid Protobuf in '.*cut\.pb': the stream ends inside message 2 \(truncated file\?\)/,
    );
    expect(await failure(await toIon("pb_missing", "kestra:///company/serdes/_files/none.pb", descriptor))).toMatch(
      /none\.pb/,
    );
    expect(await failure(await toIon("pb_missing_desc", message, "kestra:///company/serdes/_files/none.desc"))).toMatch(
      /descriptorFile '.*none\.desc'/,
    );
  });
});
