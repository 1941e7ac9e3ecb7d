/**
 * Kafka records both ways, as Kestra's Kafka plugin has them: a record to send is a map with
 * `key`, `value`, and optional `topic`, `partition`, `timestamp` and `headers` (a map, or the list
 * of one-entry maps a Consume output holds); a received record has `key`, `value`, `topic`,
 * `partition`, `offset`, `timestamp` and `headers`.
 */
import type { IHeaders, KafkaMessage, Message } from "kafkajs";
import { NonRetryableError } from "@saker/sdk";
import { fixedCodec, type KafkaCodec } from "./codecs.ts";
import type { KafkaSerde } from "./serdes.ts";

/** A codec, or a fixed serde by name. */
export type CodecOrSerde = KafkaCodec | KafkaSerde;
const codecOf = (c: CodecOrSerde): KafkaCodec => (typeof c === "string" ? fixedCodec(c) : c);

export interface Outgoing {
  topic: string;
  message: Message;
}

export async function outgoingRecord(
  item: unknown,
  defaultTopic: string | undefined,
  keySerializer: CodecOrSerde,
  valueSerializer: CodecOrSerde,
  index: number,
): Promise<Outgoing> {
  const where = `from item ${index + 1}`;
  if (!item || typeof item !== "object" || Array.isArray(item))
    throw new NonRetryableError(
      `${where} must be a map with key, value and optional topic, partition, timestamp, headers`,
    );
  const m = item as Record<string, unknown>;
  const topic = typeof m.topic === "string" && m.topic !== "" ? m.topic : defaultTopic;
  if (!topic) throw new NonRetryableError(`${where} has no topic, and the task sets none`);
  const message: Message = {
    key: await codecOf(keySerializer).encode(m.key, topic, `${where} key`),
    value: await codecOf(valueSerializer).encode(m.value, topic, `${where} value`),
  };
  if (m.partition !== undefined && m.partition !== null) {
    const partition = Number(m.partition);
    if (!Number.isInteger(partition) || partition < 0)
      throw new NonRetryableError(`${where}: partition must be a whole number`);
    message.partition = partition;
  }
  if (m.timestamp !== undefined && m.timestamp !== null) message.timestamp = String(timestampMs(m.timestamp, where));
  const headers = headersOf(m.headers, where);
  if (headers) message.headers = headers;
  return { topic, message };
}

function timestampMs(value: unknown, where: string): number {
  if (typeof value === "number") return value;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new NonRetryableError(`${where}: timestamp '${String(value)}' is not a date`);
  return ms;
}

function headersOf(value: unknown, where: string): IHeaders | undefined {
  if (value === undefined || value === null) return undefined;
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.flatMap((h: unknown) => (h && typeof h === "object" ? Object.entries(h) : []))
    : typeof value === "object"
      ? Object.entries(value)
      : [];
  if (entries.length === 0 && !(typeof value === "object"))
    throw new NonRetryableError(`${where}: headers must be a map of names to texts`);
  const headers: IHeaders = {};
  for (const [name, v] of entries) headers[name] = v === null || v === undefined ? "" : String(v);
  return headers;
}

/** A received record, for the Ion file of a Consume and the `trigger.*` of a RealtimeTrigger. */
export async function messageRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
  keyDeserializer: CodecOrSerde,
  valueDeserializer: CodecOrSerde,
): Promise<Record<string, unknown>> {
  const where = `The record at offset ${message.offset} of ${topic}[${partition}]`;
  return {
    key: await codecOf(keyDeserializer).decode(message.key, `${where} (key)`),
    value: await codecOf(valueDeserializer).decode(message.value, where),
    topic,
    headers: Object.entries(message.headers ?? {}).map(([name, v]) => ({ [name]: headerText(v) })),
    partition,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    offset: Number(message.offset),
  };
}

function headerText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map((v) => headerText(v)).join(",");
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

/** Whether a record's headers carry every `name: value` of `filters`. */
export function matchesHeaders(message: KafkaMessage, filters: Readonly<Record<string, string>> | undefined): boolean {
  if (!filters) return true;
  return Object.entries(filters).every(([name, expected]) => {
    const actual = message.headers?.[name];
    const last = Array.isArray(actual) ? actual[actual.length - 1] : actual;
    return last !== undefined && headerText(last) === expected;
  });
}
