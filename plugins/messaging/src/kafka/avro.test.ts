import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { NonRetryableError, TaskError } from "@saker/sdk";
import { errorMessages, outputsOf, storedValues, useMessagingInstance } from "../../test/brokers.ts";
import { earliestProperties, testKafka, transactionalLine } from "../../test/kafka.ts";
import {
  registerSchema,
  startSchemaRegistry,
  useSchemaRegistry,
  type TestRegistry,
} from "../../test/schemaRegistry.ts";
import { kafkaCodec, type CodecOptions } from "./codecs.ts";
import { framed } from "./confluentAvro.ts";
import { messageRecord, outgoingRecord } from "./records.ts";

const NS = "company.kafka";
const USER_SCHEMA = JSON.stringify({
  type: "record",
  name: "user",
  namespace: "io.saker.test",
  fields: [
    { name: "name", type: "string" },
    { name: "n", type: "int" },
  ],
});

const signal = new AbortController().signal;
const producer = (registry: TestRegistry, extra: Partial<CodecOptions> = {}) =>
  kafkaCodec("AVRO", "value", "valueSerializer", {
    serdeProperties: { "schema.registry.url": registry.url },
    avroSchema: USER_SCHEMA,
    signal,
    ...extra,
  });
const consumer = (registry: TestRegistry, extra: Partial<CodecOptions> = {}) =>
  kafkaCodec("AVRO", "value", "valueDeserializer", {
    serdeProperties: { "schema.registry.url": registry.url },
    signal,
    ...extra,
  });

describe("Kafka AVRO through a Confluent schema registry (loopback registry)", () => {
  const registry = useSchemaRegistry();

  it("writes the magic byte, the registered schema id and the Avro binary; the schema goes under <topic>-value", async () => {
    const codec = await producer(registry);
    const bytes = await codec.encode({ name: "a", n: 1 }, "orders", "from item 1 value");
    // 0 | id 1 (big-endian) | "a" (zig-zag length 1 = 0x02, 0x61) | 1 (zig-zag = 0x02)
    expect(bytes!.toString("hex")).toBe("00" + "00000001" + "0261" + "02");
    expect(registry.subjects.get("orders-value")?.map((v) => v.id)).toEqual([1]);
    const registered = registry.requests.length;
    await codec.encode({ name: "b", n: 2 }, "orders", "from item 2 value");
    expect(registry.requests.length).toBe(registered);

    const reader = await consumer(registry);
    expect(await reader.decode(bytes, "the record")).toEqual({ name: "a", n: 1 });
    expect(await reader.decode(null, "a tombstone")).toBeNull();
    expect(registry.requests).toContain("GET /schemas/ids/1");
  });

  it("round-trips nested records, unions, arrays, maps, enums and bytes; keys go under <topic>-key", async () => {
    const schema = JSON.stringify({
      type: "record",
      name: "order",
      fields: [
        { name: "id", type: "long" },
        { name: "note", type: ["null", "string"], default: null },
        { name: "tags", type: { type: "array", items: "string" } },
        { name: "attrs", type: { type: "map", values: "double" } },
        { name: "state", type: { type: "enum", name: "state", symbols: ["NEW", "DONE"] } },
        { name: "raw", type: "bytes" },
        { name: "buyer", type: { type: "record", name: "buyer", fields: [{ name: "email", type: "string" }] } },
      ],
    });
    const value = {
      id: 1234567890123,
      note: null,
      tags: ["a", "b"],
      attrs: { w: 1.5 },
      state: "DONE",
      raw: Buffer.from([1, 2, 3]),
      buyer: { email: "x@y.z" },
    };
    const codec = await kafkaCodec("AVRO", "key", "keySerializer", {
      serdeProperties: { "schema.registry.url": registry.url },
      avroSchema: schema,
      signal,
    });
    const { topic, message } = await outgoingRecord({ key: value, value: "v" }, "nested", codec, "STRING", 0);
    expect(topic).toBe("nested");
    expect(registry.subjects.has("nested-key")).toBe(true);
    const reader = await kafkaCodec("AVRO", "key", "keyDeserializer", {
      serdeProperties: { "schema.registry.url": registry.url },
      signal,
    });
    const record = await messageRecord(
      "nested",
      0,
      { key: message.key as Buffer, value: Buffer.from("v"), offset: "0", timestamp: "0", attributes: 0, headers: {} },
      reader,
      "STRING",
    );
    expect(record.key).toEqual(value);
    expect(record.value).toBe("v");
  });

  it("a record that does not match the schema is an error naming the record and the field", async () => {
    const codec = await producer(registry);
    const failure = (value: unknown) => codec.encode(value, "orders", "from item 3 value").catch((e: unknown) => e);
    const wrongType = await failure({ name: "a", n: "x" });
    expect(wrongType).toBeInstanceOf(NonRetryableError);
    expect((wrongType as Error).message).toBe(
      'from item 3 value does not match the Avro schema io.saker.test.user: field n: expected int, got string "x"',
    );
    expect(((await failure({ name: "a" })) as Error).message).toMatch(/field n is missing \(int\)/);
    expect(((await failure({ name: "a", n: 1, extra: true })) as Error).message).toMatch(
      /does not match the Avro schema io\.saker\.test\.user/,
    );
    expect(((await failure("text")) as Error).message).toMatch(/the value: expected io\.saker\.test\.user, got string/);
  });

  it("bad settings are named before anything is sent", async () => {
    await expect(producer(registry, { avroSchema: "{not json" })).rejects.toThrow(
      /valueAvroSchema is not a valid Avro schema/,
    );
    await expect(producer(registry, { avroSchema: '{"type":"nope"}' })).rejects.toThrow(
      /valueAvroSchema is not a valid Avro schema/,
    );
    const noSchema = await producer(registry, { avroSchema: undefined });
    await expect(noSchema.encode({ name: "a", n: 1 }, "t", "v")).rejects.toThrow(
      "valueAvroSchema is required when valueSerializer is AVRO",
    );
    await expect(producer(registry, { serdeProperties: {} })).rejects.toThrow(
      /valueSerializer AVRO needs a schema registry: set serdeProperties.schema.registry.url/,
    );
    await expect(producer(registry, { serdeProperties: { "schema.registry.url": "ftp://x" } })).rejects.toThrow(
      /must be an http:\/\/ or https:\/\/ URL/,
    );
    await expect(
      producer(registry, {
        serdeProperties: {},
        schemaRegistryVendor: { type: "io.kestra.plugin.kafka.registry.AwsGlueSchemaRegistry" },
      }),
    ).rejects.toThrow(/only io\.kestra\.plugin\.kafka\.registry\.ConfluentSchemaRegistry is supported/);
    await expect(
      kafkaCodec("PROTOBUF", "value", "valueSerializer", {
        signal,
        serdeProperties: { "schema.registry.url": registry.url },
      }),
    ).rejects.toThrow(/valueSerializer: PROTOBUF is supported for reading only/);
  });

  it("an unknown schema id or bytes not in the wire format are errors naming the record", async () => {
    const reader = await consumer(registry);
    const unknown = await reader
      .decode(framed(99, Buffer.from([2, 0x61, 2])), "The record at offset 7 of t[0]")
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NonRetryableError);
    expect((unknown as Error).message).toBe(
      `The record at offset 7 of t[0]: Schema registry ${registry.url}: schema id 99: 404 Schema not found (error 40403): not in the registry`,
    );
    await expect(reader.decode(Buffer.from("plain text"), "The record at offset 8 of t[0]")).rejects.toThrow(
      "The record at offset 8 of t[0] is not in the schema registry's wire format (the magic byte 0, then a 4-byte schema id)",
    );
    const writer = await producer(registry);
    const good = (await writer.encode({ name: "a", n: 1 }, "orders", "v"))!;
    await expect(reader.decode(good.subarray(0, 6), "The record at offset 9 of t[0]")).rejects.toThrow(
      /The record at offset 9 of t\[0\] does not decode with Avro schema id 1/,
    );
  });

  it("auto.register.schemas false looks the schema up; use.latest.version writes with the subject's latest", async () => {
    const lookup = await producer(registry, {
      serdeProperties: { "schema.registry.url": registry.url, "auto.register.schemas": "false" },
    });
    await expect(lookup.encode({ name: "a", n: 1 }, "unregistered", "v")).rejects.toThrow(
      /subject unregistered-value: 404 Subject 'unregistered-value' not found\. \(error 40401\)/,
    );
    expect((await lookup.encode({ name: "a", n: 1 }, "orders", "v"))!.readInt32BE(1)).toBe(1);
    const latest = await producer(registry, {
      avroSchema: undefined,
      serdeProperties: { "schema.registry.url": registry.url, "use.latest.version": "true" },
    });
    expect((await latest.encode({ name: "z", n: 9 }, "orders", "v"))!.toString("hex")).toBe("0000000001027a12");
  });

  it("the record name strategies name the subject after the record", async () => {
    const codec = await producer(registry, {
      serdeProperties: {
        "schema.registry.url": registry.url,
        "value.subject.name.strategy": "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
      },
    });
    await codec.encode({ name: "a", n: 1 }, "strategy", "v");
    expect(registry.subjects.has("strategy-io.saker.test.user")).toBe(true);
  });

  it("a registry that is down is a retryable error saying so; it is not a hang", async () => {
    const down = await startSchemaRegistry();
    await down.close();
    const codec = await producer(down);
    const error = await codec.encode({ name: "a", n: 1 }, "orders", "v").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toBe(
      `Schema registry ${down.url}: cannot reach it for subject orders-value: connection refused`,
    );
    const reader = await consumer(down);
    const readError = await reader.decode(framed(1, Buffer.from([2, 0x61, 2])), "r").catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(TaskError);
    expect((readError as Error).message).toBe(
      `r: Schema registry ${down.url}: cannot reach it for schema id 1: connection refused`,
    );
  });
});

describe("Kafka AVRO with a registry that wants credentials", () => {
  const registry = useSchemaRegistry({ user: "reader", password: "s3cret-pw" });

  it("takes basic.auth.user.info or the URL's user info; wrong ones are refused without showing them", async () => {
    const auth = (userInfo: string) => ({
      "schema.registry.url": registry.url,
      "basic.auth.credentials.source": "USER_INFO",
      "basic.auth.user.info": userInfo,
    });
    const wrong = await producer(registry, { serdeProperties: auth("reader:wrong-pw") });
    const error = (await wrong.encode({ name: "a", n: 1 }, "auth", "v").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toBe(
      `Schema registry ${registry.url} refused the credentials for subject auth-value: 401 Unauthorized`,
    );
    expect(error.message).not.toContain("wrong-pw");
    const right = await producer(registry, { serdeProperties: auth("reader:s3cret-pw") });
    expect(await right.encode({ name: "a", n: 1 }, "auth", "v")).toBeInstanceOf(Buffer);
    const inUrl = await consumer(registry, {
      serdeProperties: { "schema.registry.url": registry.url.replace("http://", "http://reader:bad-pw@") },
    });
    const refused = (await inUrl.decode(framed(1, Buffer.from([2, 0x61, 2])), "r").catch((e: unknown) => e)) as Error;
    expect(refused.message).toMatch(/^r: Schema registry http:\/\/127\.0\.0\.1:\d+ refused the credentials/);
    expect(refused.message).not.toContain("bad-pw");
    await expect(
      producer(registry, {
        serdeProperties: { "schema.registry.url": registry.url, "basic.auth.credentials.source": "USER_INFO" },
      }),
    ).rejects.toThrow(/basic\.auth\.user\.info \(user:password\) is required/);
  });
});

const kafka = await testKafka();
const transactional = transactionalLine(kafka);
afterAll(async () => {
  await kafka?.stop();
});

describe.skipIf(!kafka)(`Kafka AVRO flows against a broker (${kafka?.kind ?? "none"})`, () => {
  const registry = useSchemaRegistry();
  const t = useMessagingInstance();

  it("Produce writes AVRO values that Consume reads back (serdeProperties and schemaRegistryVendor)", async () => {
    const topic = `saker-avro-${randomUUID().slice(0, 8)}`;
    const props = earliestProperties(kafka!.bootstrap);
    const run = await t.run(
      `id: avro
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
${props}${transactional}    topic: ${topic}
    serdeProperties:
      schema.registry.url: ${registry.url}
    valueSerializer: AVRO
    valueAvroSchema: '${USER_SCHEMA}'
    from:
      - { key: a, value: { name: ada, n: 1 } }
      - { key: b, value: { name: bob, n: 2 } }
  - id: consume
    type: io.kestra.plugin.kafka.Consume
${props}    topic: ${topic}
    valueDeserializer: AVRO
    schemaRegistryVendor:
      type: io.kestra.plugin.kafka.registry.ConfluentSchemaRegistry
      schemaRegistryUrl: ${registry.url}
    pollDuration: PT3S
`,
      {},
      60_000,
    );
    expect(errorMessages(t, run, "consume")).toEqual([]);
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "produce")).toEqual({ messagesCount: 2 });
    expect(await storedValues(t, outputsOf(run, "consume").uri as string)).toEqual([
      expect.objectContaining({ key: "a", value: { name: "ada", n: 1 }, topic }),
      expect.objectContaining({ key: "b", value: { name: "bob", n: 2 }, topic }),
    ]);
    expect(registry.subjects.get(`${topic}-value`)).toHaveLength(1);
  }, 90_000);

  it("a record that does not match the schema fails Produce naming the item and the field", async () => {
    const topic = `saker-avro-bad-${randomUUID().slice(0, 8)}`;
    const run = await t.run(`id: avro_bad
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: ${kafka!.bootstrap}
${transactional}    topic: ${topic}
    serdeProperties:
      schema.registry.url: ${registry.url}
    valueSerializer: AVRO
    valueAvroSchema: '${USER_SCHEMA}'
    from:
      - { value: { name: ada, n: 1 } }
      - { value: { name: bob, n: two } }
`);
    expect(run.state.current).toBe("FAILED");
    expect(errorMessages(t, run, "produce").join("\n")).toContain(
      'from item 2 value does not match the Avro schema io.saker.test.user: field n: expected int, got string "two"',
    );
  }, 90_000);
});

describe.skipIf(!kafka)(`Kafka PROTOBUF Consume against a broker (${kafka?.kind ?? "none"})`, () => {
  const registry = useSchemaRegistry();
  const t = useMessagingInstance();

  it("Consume reads Confluent Protobuf records (written here as raw BYTES) with the registry's schema", async () => {
    const proto = 'syntax = "proto3";\nmessage Ping {\n  string text = 1;\n  int32 n = 2;\n}\n';
    const id = await registerSchema(registry, "pings-value", proto, "PROTOBUF");
    // Ping{text: "hi", n: 3}: field 1 (0x0a) length 2 "hi", field 2 (0x10) varint 3; index [0] as one 0 byte.
    const record = framed(id, Buffer.from([0, 0x0a, 2, 0x68, 0x69, 0x10, 3])).toString("base64");
    const topic = `saker-proto-${randomUUID().slice(0, 8)}`;
    const props = earliestProperties(kafka!.bootstrap);
    const run = await t.run(
      `id: proto
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
${props}${transactional}    topic: ${topic}
    valueSerializer: BYTES
    from: { value: "${record}" }
  - id: consume
    type: io.kestra.plugin.kafka.Consume
${props}    topic: ${topic}
    valueDeserializer: PROTOBUF
    serdeProperties:
      schema.registry.url: ${registry.url}
    pollDuration: PT3S
`,
      {},
      60_000,
    );
    expect(errorMessages(t, run, "consume")).toEqual([]);
    expect(run.state.current).toBe("SUCCESS");
    expect(await storedValues(t, outputsOf(run, "consume").uri as string)).toEqual([
      expect.objectContaining({ value: { text: "hi", n: 3 }, topic }),
    ]);
  }, 90_000);
});
