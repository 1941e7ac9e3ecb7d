/**
 * MQTT messages as Kestra's MQTT plugin shows them (`id`, `topic`, `qos`, `payload`, `retain`, and
 * with MQTT 5 `responseTopic` and Base64 `correlationData`), and the payloads `Publish` sends.
 */
import type { IPublishPacket } from "mqtt";
import { NonRetryableError } from "@saker/sdk";
import { deserialize } from "../core/index.ts";
import { bodyOf } from "../amqp/message.ts";

export const MQTT_SERDES = ["STRING", "JSON", "BYTES"] as const;
export type MqttSerde = (typeof MQTT_SERDES)[number];

export function messageRecord(packet: IPublishPacket, serde: MqttSerde): Record<string, unknown> {
  const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  const record: Record<string, unknown> = {
    ...(packet.messageId !== undefined ? { id: packet.messageId } : {}),
    topic: packet.topic,
    qos: packet.qos,
    payload: deserialize(payload, serde, `A message of topic '${packet.topic}'`),
    retain: packet.retain,
  };
  const properties = packet.properties;
  if (properties?.responseTopic) record.responseTopic = properties.responseTopic;
  if (properties?.correlationData) record.correlationData = Buffer.from(properties.correlationData).toString("base64");
  return record;
}

/**
 * The payloads of `from`. With STRING each item is sent as its text (a list: one message per
 * item), as Kestra does; with JSON and BYTES `from` is a value, a list of values or a kestra://
 * URI of an Ion file, read by `items`.
 */
export function payloadOf(item: unknown, serde: MqttSerde): Buffer {
  if (serde === "BYTES" && typeof item !== "string" && !Buffer.isBuffer(item) && !(item instanceof Uint8Array))
    throw new NonRetryableError("With serdeType BYTES each item of from must be text (sent as UTF-8) or bytes");
  return bodyOf(item, serde, "from");
}

/** `topic` as Kestra takes it: one topic or a list of them. */
export function topicList(topic: unknown): string[] {
  const list = Array.isArray(topic) ? topic : [topic];
  if (list.length === 0 || list.some((t) => typeof t !== "string" || t === ""))
    throw new NonRetryableError("topic must be a topic or a list of topics");
  return list as string[];
}

/** MQTT 5 correlation data travels as bytes; the flow writes and reads it as Base64. */
export function correlationBytes(base64: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64.trim()))
    throw new NonRetryableError("correlationData must be Base64-encoded (use the base64encode filter on a text)");
  return Buffer.from(base64.trim(), "base64");
}
