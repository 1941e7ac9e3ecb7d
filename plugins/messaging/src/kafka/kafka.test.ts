import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { Logger } from "@saker/sdk";
import type { TestInstance } from "@saker/engine/testing";
import {
  allLogs,
  errorMessages,
  eventually,
  executionsOf,
  logMessages,
  messagingInstance,
  outputsOf,
  silentServer,
  storedValues,
  useMessagingInstance,
} from "../../test/brokers.ts";
import { earliestProperties, testKafka, transactionalLine } from "../../test/kafka.ts";
import { kafkaSettings } from "./config.ts";
import { listenKafka, subscription, type KafkaConsumeProps } from "./consume.ts";
import { TopicPattern } from "./topicPattern.ts";
import { matchesHeaders, messageRecord, outgoingRecord } from "./records.ts";
import { deserialize, serialize, type KafkaSerde } from "./serdes.ts";

const NS = "company.kafka";

describe("Kafka serdes (as the Java serializers lay the bytes out)", () => {
  const cases: Array<[KafkaSerde, unknown, string]> = [
    ["STRING", "héllo", "68c3a96c6c6f"],
    ["JSON", { a: [1, true] }, Buffer.from('{"a":[1,true]}').toString("hex")],
    ["SHORT", -2, "fffe"],
    ["INTEGER", 1, "00000001"],
    ["LONG", 1234567890123, "0000011f71fb04cb"],
    ["FLOAT", 1.5, "3fc00000"],
    ["DOUBLE", -0.25, "bfd0000000000000"],
    [
      "UUID",
      "123e4567-e89b-12d3-a456-426614174000",
      Buffer.from("123e4567-e89b-12d3-a456-426614174000").toString("hex"),
    ],
  ];
  it.each(cases)("%s writes %j as %s and reads it back", (serde, value, hex) => {
    const bytes = serialize(value, serde, "value")!;
    expect(bytes.toString("hex")).toBe(hex);
    expect(deserialize(bytes, serde, "value")).toEqual(value);
  });

  it("BYTES take bytes or Base64 text and give bytes; VOID and null give no bytes", () => {
    expect(serialize("AQID", "BYTES", "v")).toEqual(Buffer.from([1, 2, 3]));
    expect(deserialize(Buffer.from([1, 2]), "BYTE_ARRAY", "v")).toEqual(Buffer.from([1, 2]));
    expect(serialize("x", "VOID", "v")).toBeNull();
    expect(serialize(null, "STRING", "v")).toBeNull();
    expect(deserialize(null, "JSON", "v")).toBeNull();
  });

  it("a LONG beyond 2^53 is kept exact as a bigint", () => {
    const bytes = serialize("9223372036854775807", "LONG", "v")!;
    expect(deserialize(bytes, "LONG", "v")).toBe(9223372036854775807n);
  });

  it("bad inputs are errors naming the record and the type", () => {
    expect(() => deserialize(Buffer.from("{nope"), "JSON", "The record at offset 4")).toThrow(
      /The record at offset 4 is not valid JSON/,
    );
    expect(() => serialize(70000, "SHORT", "from item 1 key")).toThrow(/out of the range of SHORT/);
    expect(() => serialize("abc", "INTEGER", "v")).toThrow(/INTEGER needs a number/);
    expect(() => deserialize(Buffer.from([1, 2]), "INTEGER", "v")).toThrow(/INTEGER needs 4 bytes, got 2/);
    expect(() => serialize({}, "AVRO", "valueSerializer")).toThrow(/AVRO needs a schema registry codec/);
    expect(() => deserialize(Buffer.alloc(1), "PROTOBUF", "keyDeserializer")).toThrow(
      /PROTOBUF needs a schema registry codec/,
    );
  });
});

describe("Kafka properties mapped onto the client", () => {
  it("reads brokers, client id, offsets reset, isolation and timeouts", () => {
    const s = kafkaSettings({
      "bootstrap.servers": "PLAINTEXT://k1:9092, k2:9093",
      "client.id": "app",
      "group.id": "g",
      "auto.offset.reset": "earliest",
      "isolation.level": "read_uncommitted",
      "request.timeout.ms": "5000",
      "metadata.max.age.ms": "60000",
      "max.poll.records": "10",
    });
    expect(s.client).toMatchObject({
      brokers: ["k1:9092", "k2:9093"],
      clientId: "app",
      ssl: false,
      requestTimeout: 5000,
    });
    expect(s).toMatchObject({
      groupId: "g",
      fromBeginning: true,
      readUncommitted: true,
      metadataMaxAge: 60_000,
      ignored: ["max.poll.records"],
    });
    // a topicPattern looks for new topics as often as Java's consumer refreshes its metadata
    expect(kafkaSettings({ "bootstrap.servers": "k:1" }).metadataMaxAge).toBe(300_000);
  });

  it("maps SASL_SSL with the user and password of sasl.jaas.config", () => {
    const s = kafkaSettings({
      "bootstrap.servers": "k:9093",
      "security.protocol": "SASL_SSL",
      "sasl.mechanism": "SCRAM-SHA-512",
      "sasl.jaas.config":
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="s3cr3t";',
    });
    expect(s.client.ssl).toBe(true);
    expect(s.client.sasl).toEqual({ mechanism: "scram-sha-512", username: "bob", password: "s3cr3t" });
  });

  it("refuses what it cannot do, naming it", () => {
    expect(() => kafkaSettings({})).toThrow(/bootstrap\.servers/);
    expect(() => kafkaSettings({ "bootstrap.servers": "k:1", "ssl.truststore.location": "base64" })).toThrow(
      /Java key stores are not supported/,
    );
    expect(() => kafkaSettings({ "bootstrap.servers": "k:1", "security.protocol": "SASL_PLAINTEXT" })).toThrow(
      /sasl\.jaas\.config must give username/,
    );
    expect(() => kafkaSettings({ "bootstrap.servers": "k:1", "auto.offset.reset": "middle" })).toThrow(
      /auto\.offset\.reset/,
    );
    expect(() => kafkaSettings({ "bootstrap.servers": "k:1", "metadata.max.age.ms": "soon" })).toThrow(
      "properties.metadata.max.age.ms must be a whole number, got 'soon'",
    );
  });
});

describe("Kafka records", () => {
  it("a record to send takes key, value, topic, partition, timestamp and headers (map or Consume's list)", async () => {
    const { topic, message } = await outgoingRecord(
      {
        key: "k1",
        value: { n: 1 },
        partition: 2,
        timestamp: "2024-01-01T00:00:00Z",
        headers: [{ a: "1" }, { b: "2" }],
      },
      "default",
      "STRING",
      "JSON",
      0,
    );
    expect(topic).toBe("default");
    expect(message).toEqual({
      key: Buffer.from("k1"),
      value: Buffer.from('{"n":1}'),
      partition: 2,
      timestamp: String(Date.parse("2024-01-01T00:00:00Z")),
      headers: { a: "1", b: "2" },
    });
    expect(
      await outgoingRecord({ value: "v", topic: "own", headers: { x: 1 } }, undefined, "STRING", "STRING", 0),
    ).toMatchObject({
      topic: "own",
      message: { key: null, headers: { x: "1" } },
    });
    await expect(outgoingRecord({ value: "v" }, undefined, "STRING", "STRING", 3)).rejects.toThrow(
      /from item 4 has no topic/,
    );
  });

  it("a received record reads as Kestra's Message, and header filters match on the last value", async () => {
    const message = {
      key: Buffer.from("k"),
      value: Buffer.from('{"ok":true}'),
      offset: "41",
      timestamp: String(Date.parse("2024-05-01T10:00:00Z")),
      headers: { region: Buffer.from("eu"), type: [Buffer.from("a"), Buffer.from("b")] },
      attributes: 0,
    };
    expect(await messageRecord("orders", 3, message, "STRING", "JSON")).toEqual({
      key: "k",
      value: { ok: true },
      topic: "orders",
      headers: [{ region: "eu" }, { type: "a,b" }],
      partition: 3,
      timestamp: "2024-05-01T10:00:00.000Z",
      offset: 41,
    });
    expect(matchesHeaders(message, { region: "eu", type: "b" })).toBe(true);
    expect(matchesHeaders(message, { region: "us" })).toBe(false);
    expect(matchesHeaders(message, undefined)).toBe(true);
  });
});

describe("Kafka topicPattern", () => {
  const props = (more: Partial<KafkaConsumeProps>) =>
    ({ properties: {}, keyDeserializer: "STRING", valueDeserializer: "STRING", ...more }) as KafkaConsumeProps;
  const matches = (pattern: string, topics: string[]) => {
    const [re] = subscription(props({ topicPattern: pattern })).topics as RegExp[];
    return topics.filter((topic) => re!.test(topic));
  };

  it("matches the whole topic name, as Java's consumer does, and never Kafka's own topics", () => {
    const topics = ["orders", "orders-eu", "old-orders", "__consumer_offsets", "__transaction_state"];
    expect(matches("orders", topics)).toEqual(["orders"]);
    expect(matches("orders.*", topics)).toEqual(["orders", "orders-eu"]);
    expect(matches(".*orders", topics)).toEqual(["orders", "old-orders"]);
    expect(matches(".*", topics)).toEqual(["orders", "orders-eu", "old-orders"]);
  });

  it("is a RegExp for kafkajs, answered in linear time whatever the pattern", () => {
    const [re] = subscription(props({ topicPattern: "(a+)+b" })).topics;
    expect(re).toBeInstanceOf(RegExp);
    expect(re).toBeInstanceOf(TopicPattern);
    // about 2^40 steps on a backtracking engine: this test would hang until its timeout
    expect((re as RegExp).test("a".repeat(40))).toBe(false);
    expect((re as RegExp).test("aab")).toBe(true);
  });

  it("bad patterns and settings are refused, a bad pattern naming the property", () => {
    const refusal = (more: Partial<KafkaConsumeProps>) => {
      try {
        subscription(props(more));
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refusal({ topicPattern: "orders[" })).toMatch(
      /^topicPattern: 'orders\[' is not a valid regular expression: missing closing \]/,
    );
    expect(refusal({ topicPattern: "(?=orders).*" })).toMatch(
      /^topicPattern: '\(\?=orders\)\.\*' is not a valid regular expression: uses syntax the linear-time regex engine \(RE2\) does not support/,
    );
    expect(refusal({ topic: "a", topicPattern: "a" })).toBe("Set topic or topicPattern, not both");
    expect(refusal({})).toBe("topic or topicPattern is required");
  });
});

describe("Kafka tasks without a broker", () => {
  const t = useMessagingInstance();

  it("an unreachable cluster fails Produce with a clear error, within seconds", async () => {
    const run = await t.run(`id: unreachable
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: 127.0.0.1:1
    topic: t
    transactional: false
    from: { key: a, value: b }
`);
    expect(run.state.current).toBe("FAILED");
    expect(errorMessages(t, run, "produce").join("\n")).toMatch(
      /Producing to Kafka on 127\.0\.0\.1:1: .*(ECONNREFUSED|Connection error)/i,
    );
  }, 20_000);

  it("a broker that never answers is given up at the task's timeout", async () => {
    const silent = await silentServer();
    try {
      const run = await t.run(
        `id: silent
namespace: ${NS}
tasks:
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: 127.0.0.1:${silent.port}
      socket.connection.setup.timeout.ms: 60000
      request.timeout.ms: 60000
    topic: t
    timeout: PT1S
`,
        {},
        15_000,
      );
      expect(run.state.current).toBe("FAILED");
      expect(errorMessages(t, run, "consume").join("\n")).toMatch(/timed out|timeout|stopped/i);
    } finally {
      await silent.close();
    }
  });

  it("an unsupported serializer or property is named before connecting", async () => {
    const run = await t.run(`id: unsupported
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: 127.0.0.1:1
    topic: t
    valueSerializer: PROTOBUF
    from: { value: b }
    allowFailure: true
  - id: avro
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: 127.0.0.1:1
    topic: t
    valueSerializer: AVRO
    valueAvroSchema: '"string"'
    from: { value: b }
    allowFailure: true
  - id: refused
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: 127.0.0.1:1
    topic: t
    serdeProperties:
      schema.registry.url: http://169.254.169.254:8081
    valueSerializer: AVRO
    valueAvroSchema: '"string"'
    from: { value: b }
    allowFailure: true
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: 127.0.0.1:1
    topic: t
    since: "2024-01-01T00:00:00Z"
`);
    expect(errorMessages(t, run, "produce").join("\n")).toMatch(
      /valueSerializer: PROTOBUF is supported for reading only/,
    );
    expect(errorMessages(t, run, "refused").join("\n")).toContain(
      "connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16",
    );
    expect(errorMessages(t, run, "avro").join("\n")).toMatch(
      /valueSerializer AVRO needs a schema registry: set serdeProperties.schema.registry.url/,
    );
    expect(errorMessages(t, run, "consume").join("\n")).toMatch(/Not supported by Saker's Kafka plugin: since/);
  });
});

const kafka = await testKafka();
const bootstrap = kafka?.bootstrap;
/** Produce's `transactional` for the cluster under test (the mock cluster has no transactions for kafkajs). */
const transactional = transactionalLine(kafka);

/** Runs a flow producing `values` (strings) to `topic` of the cluster under test. */
function produce(test: TestInstance, topic: string, values: string[]) {
  return test.run(`id: send_${values.join("_")}
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: ${bootstrap}
${transactional}    topic: ${topic}
    from: [${values.map((value) => `{ value: ${value} }`).join(", ")}]
`);
}

describe.skipIf(!kafka)(`Kafka against a broker (${kafka?.kind ?? "none"})`, () => {
  let t: TestInstance | undefined;
  afterAll(async () => {
    await t?.close();
    await kafka?.stop();
  });

  it("produces JSON records and consumes them back with their headers, committing the group's offsets", async () => {
    const topic = `saker-${randomUUID().slice(0, 8)}`;
    t = await messagingInstance();
    const props = earliestProperties(bootstrap!);
    // The second Consume joins the group the first left: librdkafka's mock cluster drops a member
    // that left only at its session timeout (kafkajs' default 30 s; a broker takes the LeaveGroup
    // at once), so the consumers' timeout is short.
    const consumerProps = earliestProperties(bootstrap!, { "session.timeout.ms": 6000 });
    const run = await t.run(
      `id: roundtrip
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
${props}${transactional}    topic: ${topic}
    valueSerializer: JSON
    from:
      - { key: a, value: { n: 1 }, headers: { h: x } }
      - { key: b, value: { n: 2 } }
  - id: consume
    type: io.kestra.plugin.kafka.Consume
${consumerProps}    topic: ${topic}
    groupId: ${topic}
    valueDeserializer: JSON
    pollDuration: PT3S
  - id: again
    type: io.kestra.plugin.kafka.Consume
${consumerProps}    topic: ${topic}
    groupId: ${topic}
    pollDuration: PT3S
`,
      {},
      60_000,
    );
    expect(errorMessages(t, run, "consume")).toEqual([]);
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "produce")).toEqual({ messagesCount: 2 });
    expect(outputsOf(run, "consume").messagesCount).toBe(2);
    expect(await storedValues(t, outputsOf(run, "consume").uri as string)).toEqual([
      expect.objectContaining({ key: "a", value: { n: 1 }, headers: [{ h: "x" }], topic }),
      expect.objectContaining({ key: "b", value: { n: 2 } }),
    ]);
    expect(outputsOf(run, "again").messagesCount).toBe(0);
  }, 90_000);

  it("Consume with topicPattern reads the topics whose whole name matches", async () => {
    const base = `saker-p-${randomUUID().slice(0, 8)}`;
    t ??= await messagingInstance();
    const props = earliestProperties(bootstrap!);
    const consumerProps = earliestProperties(bootstrap!, { "session.timeout.ms": 6000 });
    const produce = (id: string, topic: string, value: string) => `  - id: ${id}
    type: io.kestra.plugin.kafka.Produce
${props}${transactional}    topic: ${topic}
    from: { value: ${value} }
`;
    const run = await t.run(
      `id: pattern
namespace: ${NS}
tasks:
${produce("a", `${base}-a`, "one")}${produce("b", `${base}-b`, "two")}${produce("other", `x-${base}-a`, "three")}  - id: consume
    type: io.kestra.plugin.kafka.Consume
${consumerProps}    topicPattern: "${base}-.*"
    pollDuration: PT3S
  - id: prefix
    type: io.kestra.plugin.kafka.Consume
${consumerProps}    topicPattern: "${base}"
    pollDuration: PT2S
`,
      {},
      60_000,
    );
    expect(errorMessages(t, run, "consume")).toEqual([]);
    expect(run.state.current).toBe("SUCCESS");
    const values = (await storedValues(t, outputsOf(run, "consume").uri as string)) as Array<{ value: string }>;
    expect(values.map((r) => r.value).sort()).toEqual(["one", "two"]);
    // the whole name must match: a pattern that is only a prefix selects no topic
    expect(outputsOf(run, "prefix").messagesCount).toBe(0);
    expect(logMessages(t, run, "prefix", "WARN")).toContain(`No topic matches topicPattern '${base}'`);
  }, 90_000);

  it("RealtimeTrigger starts one execution per record", async () => {
    const topic = `saker-rt-${randomUUID().slice(0, 8)}`;
    await t?.close();
    t = await messagingInstance({ scheduler: true });
    await t.instance.deploy(`id: realtime
namespace: ${NS}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value }}"
triggers:
  - id: kafka
    type: io.kestra.plugin.kafka.RealtimeTrigger
    properties:
      bootstrap.servers: ${bootstrap}
      auto.offset.reset: earliest
    topic: ${topic}
    groupId: ${topic}
`);
    await produce(t, topic, ["r1", "r2"]);
    const done = await eventually(() => {
      const found = executionsOf(t!, NS, "realtime").filter((x) => x.state.current === "SUCCESS");
      return found.length >= 2 ? found : undefined;
    }, 60_000);
    expect(done.map((x) => x.taskRunList[0]?.outputs?.value).sort()).toEqual(["r1", "r2"]);
  }, 90_000);

  it("RealtimeTrigger with topicPattern consumes topics created after it started, each record once", async () => {
    const base = `saker-rtp-${randomUUID().slice(0, 8)}`;
    t ??= await messagingInstance({ scheduler: true });
    const send = (topic: string, values: string[]) => produce(t!, topic, values);
    await send(`${base}-a`, ["a1"]);
    // no groupId: the private group's positions carry the consumer across its new subscriptions
    await t.instance.deploy(`id: realtime_pattern
namespace: ${NS}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.topic }}={{ trigger.value }}"
triggers:
  - id: kafka
    type: io.kestra.plugin.kafka.RealtimeTrigger
    properties:
      bootstrap.servers: ${bootstrap}
      auto.offset.reset: earliest
      metadata.max.age.ms: 1000
      session.timeout.ms: 6000
    topicPattern: "${base}-.*"
`);
    const values = () =>
      executionsOf(t!, NS, "realtime_pattern")
        .filter((x) => x.state.current === "SUCCESS")
        .map((x) => String(x.taskRunList[0]?.outputs?.value))
        .sort();
    const seen = (count: number) => eventually(() => (values().length >= count ? values() : undefined), 60_000);
    expect(await seen(1)).toEqual([`${base}-a=a1`]);
    await send(`${base}-b`, ["b1"]);
    await send(`${base}-a`, ["a2"]);
    await send(`x-${base}-c`, ["c1"]);
    expect(await seen(3)).toEqual([`${base}-a=a1`, `${base}-a=a2`, `${base}-b=b1`]);
    // nothing handled twice, nothing from a topic the whole pattern does not match
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(values()).toEqual([`${base}-a=a1`, `${base}-a=a2`, `${base}-b=b1`]);
    expect(allLogs(t, NS)).toContain(`Consuming ${base}-b too: new topics matching topicPattern '${base}-.*'`);
  }, 120_000);

  it("a topicPattern listener reading from the end loses no record when it subscribes again", async () => {
    const base = `saker-rtl-${randomUUID().slice(0, 8)}`;
    const { Kafka, logLevel } = await import("kafkajs");
    const producer = new Kafka({ brokers: [bootstrap!], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const send = (topic: string, value: string) => producer.send({ topic, messages: [{ value, partition: 0 }] });
    // both topics exist before the listener starts (at their end: their first records are not read)
    await send(`${base}-a`, "before-a");
    await send(`${base}-z`, "before-z");
    const lines: string[] = [];
    const logger = Object.fromEntries(
      ["trace", "debug", "info", "warn", "error", "log"].map((level) => [
        level,
        (message: string, ...args: unknown[]) =>
          lines.push(args.reduce<string>((m, a) => m.replace("{}", String(a)), message)),
      ]),
    ) as unknown as Logger;
    const abort = new AbortController();
    const got: string[] = [];
    // records sent before the consumer has joined a partition are not read (it starts at the end):
    // numbered records are sent until one is
    const sendUntilRead = async (topic: string, prefix: string) => {
      for (let i = 0; !got.some((value) => value.startsWith(prefix)); i++) {
        if (i > 60) throw new Error(`the listener never read a record of ${topic}`);
        await send(topic, `${prefix}${i}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const listening = listenKafka(
      {
        properties: {
          "bootstrap.servers": bootstrap!,
          "metadata.max.age.ms": "1000",
          "session.timeout.ms": "6000",
        },
        topicPattern: `${base}-.*`,
        keyDeserializer: "STRING",
        valueDeserializer: "STRING",
      },
      { signal: abort.signal, logger, flow: { namespace: NS, id: "direct" } } as never,
      async (record) => {
        got.push(String(record.value));
        // a slow execution store: the new subscription waits for this record
        if (record.value === "r1") await held;
      },
    );
    try {
      await sendUntilRead(`${base}-a`, "probe");
      await send(`${base}-a`, "r1");
      await eventually(() => got.includes("r1") || undefined, 30_000);
      // -z: nothing handled there yet; -n: a new topic, found while r1 is being handled
      await send(`${base}-z`, "r2");
      await send(`${base}-n`, "n1");
      await new Promise((resolve) => setTimeout(resolve, 3000));
      release();
      await eventually(() => lines.find((line) => line.startsWith(`Consuming ${base}-n too`)), 30_000);
      await sendUntilRead(`${base}-n`, "n2-");
      await eventually(() => got.includes("r2") || undefined, 30_000);
    } finally {
      release();
      abort.abort();
      await listening;
      await producer.disconnect();
    }
    const read = got.filter((value) => !value.startsWith("probe") && !value.startsWith("n2-"));
    // n1 came before the new topic was subscribed to, at its end: not read, as Java's consumer would not
    expect(read).toEqual(["r1", "r2"]);
    expect(got.some((value) => value.startsWith("n2-"))).toBe(true);
    expect(new Set(got).size).toBe(got.length);
  }, 120_000);
});
