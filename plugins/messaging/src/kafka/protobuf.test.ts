import protobuf from "protobufjs";
import { beforeAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "@saker/sdk";
import { registerSchema, useSchemaRegistry } from "../../test/schemaRegistry.ts";
import { kafkaCodec, type KafkaCodec } from "./codecs.ts";
import { framed } from "./confluentAvro.ts";

const PROTO = `syntax = "proto3";
package io.saker.test;

message Order {
  string id = 1;
  int64 amount_cents = 2;
  State state = 3;
  Line line = 4;
  message Line {
    string sku = 1;
    int32 quantity = 2;
  }
}

enum State {
  NEW = 0;
  PAID = 1;
}

message Refund {
  string order_id = 1;
  bytes proof = 2;
}
`;
const root = protobuf.parse(PROTO, { keepCase: true }).root;
const encode = (type: string, value: Record<string, unknown>) =>
  Buffer.from(root.lookupType(type).encode(root.lookupType(type).fromObject(value)).finish());

describe("Kafka PROTOBUF from a Confluent schema registry (loopback registry)", () => {
  const registry = useSchemaRegistry();
  let reader: KafkaCodec;
  let id: number;
  beforeAll(async () => {
    id = await registerSchema(registry, "orders-value", PROTO, "PROTOBUF");
    reader = await kafkaCodec("PROTOBUF", "value", "valueDeserializer", {
      serdeProperties: { "schema.registry.url": registry.url },
      signal: new AbortController().signal,
    });
  });

  it("reads the message the indexes name: the first (one 0 byte), a later one, a nested one", async () => {
    const order = { id: "o-1", amount_cents: "9007199254740993", state: "PAID", line: { sku: "A7", quantity: 2 } };
    const first = framed(id, Buffer.concat([Buffer.from([0]), encode("io.saker.test.Order", order)]));
    expect(await reader.decode(first, "The record at offset 0 of orders[0]")).toEqual(order);

    // Indexes [1]: the count 1 and the index 1, zig-zag encoded (2, 2).
    const refund = framed(
      id,
      Buffer.concat([
        Buffer.from([2, 2]),
        encode("io.saker.test.Refund", { order_id: "o-1", proof: Buffer.from("ok") }),
      ]),
    );
    expect(await reader.decode(refund, "r")).toEqual({ order_id: "o-1", proof: Buffer.from("ok").toString("base64") });

    // Indexes [0, 0]: Order.Line.
    const line = framed(
      id,
      Buffer.concat([Buffer.from([4, 0, 0]), encode("io.saker.test.Order.Line", { sku: "B1", quantity: 5 })]),
    );
    expect(await reader.decode(line, "r")).toEqual({ sku: "B1", quantity: 5 });
    expect(await reader.decode(null, "r")).toBeNull();
  });

  it("bad bytes are errors naming the record: no message at the index, a truncated payload, an unknown id, an AVRO id", async () => {
    const noMessage = framed(id, Buffer.from([2, 10]));
    await expect(reader.decode(noMessage, "The record at offset 3 of orders[0]")).rejects.toThrow(
      `The record at offset 3 of orders[0]: schema id ${id} has no message at index 5`,
    );
    const whole = encode("io.saker.test.Order", { id: "o-1", line: { sku: "A7", quantity: 2 } });
    const truncated = framed(id, Buffer.concat([Buffer.from([0]), whole.subarray(0, whole.length - 2)]));
    const error = await reader.decode(truncated, "r").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(
      new RegExp(`^r does not decode as io\\.saker\\.test\\.Order \\(schema id ${id}\\)`),
    );
    await expect(reader.decode(framed(999, Buffer.from([0])), "r")).rejects.toThrow(
      /schema id 999: 404 Schema not found/,
    );
    const avro = await fetch(`${registry.url}/subjects/other-value/versions`, {
      method: "POST",
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      body: JSON.stringify({ schema: '"string"' }),
    });
    const avroId = ((await avro.json()) as { id: number }).id;
    await expect(reader.decode(framed(avroId, Buffer.from([0])), "r")).rejects.toThrow(
      `r: schema id ${avroId} is a schema of type AVRO, not PROTOBUF`,
    );
    await expect(reader.encode({ id: "x" }, "orders", "v")).rejects.toThrow(/PROTOBUF is supported for reading only/);
  });
});
