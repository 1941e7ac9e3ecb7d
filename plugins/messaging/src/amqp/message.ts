/**
 * AMQP messages as Kestra's `Message` model has them: the body (`data`, read with `serdeType`)
 * and the basic properties (`headers`, `contentType`, `timestamp`…), both ways.
 */
import type { ConsumeMessage, Options } from "amqplib";
import { NonRetryableError, formatDuration, parseDuration } from "@saker/sdk";
import { deserialize, serialize } from "../core/index.ts";

export const AMQP_SERDES = ["STRING", "JSON"] as const;
export type AmqpSerde = (typeof AMQP_SERDES)[number];

/** A received message, as stored in a Consume file and seen as `trigger.*` by a RealtimeTrigger. */
export function messageRecord(message: ConsumeMessage, serde: AmqpSerde, where: string): Record<string, unknown> {
  const p = message.properties;
  const record: Record<string, unknown> = { data: deserialize(message.content, serde, where) };
  const put = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) record[key] = value;
  };
  put("contentType", p.contentType);
  put("contentEncoding", p.contentEncoding);
  if (p.headers && Object.keys(p.headers).length > 0)
    record.headers = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, headerText(v)]));
  put("deliveryMode", p.deliveryMode);
  put("priority", p.priority);
  put("messageId", p.messageId);
  put("correlationId", p.correlationId);
  put("replyTo", p.replyTo);
  if (p.expiration !== undefined && p.expiration !== null && /^\d+$/.test(String(p.expiration)))
    record.expiration = formatDuration(Number(p.expiration));
  // AMQP timestamps are whole seconds since the epoch.
  if (typeof p.timestamp === "number") record.timestamp = new Date(p.timestamp * 1000).toISOString();
  put("type", p.type);
  put("userId", p.userId);
  put("appId", p.appId);
  return record;
}

/** Kestra turns every header value into its text. */
function headerText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The body and publish options of one item of `from`. */
export function outgoing(item: unknown, serde: AmqpSerde, index: number): { body: Buffer; options: Options.Publish } {
  if (!item || typeof item !== "object" || Array.isArray(item))
    throw new NonRetryableError(`from item ${index + 1} must be a map with 'data' (and optional message properties)`);
  const m = item as Record<string, unknown>;
  if (m.data === undefined || m.data === null)
    throw new NonRetryableError(`from item ${index + 1} has no 'data' (the message body)`);
  const options: Options.Publish = {};
  const text = (key: string) => (m[key] === undefined || m[key] === null ? undefined : String(m[key]));
  const int = (key: string) => (m[key] === undefined || m[key] === null ? undefined : Number(m[key]));
  const set = <K extends keyof Options.Publish>(key: K, value: Options.Publish[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set("contentType", text("contentType"));
  set("contentEncoding", text("contentEncoding"));
  if (m.headers && typeof m.headers === "object") set("headers", m.headers as Record<string, unknown>);
  set("deliveryMode", int("deliveryMode"));
  set("priority", int("priority"));
  set("correlationId", text("correlationId"));
  set("replyTo", text("replyTo"));
  set("messageId", text("messageId"));
  set("type", text("type"));
  set("userId", text("userId"));
  set("appId", text("appId"));
  if (m.expiration !== undefined && m.expiration !== null) set("expiration", String(expirationMs(m.expiration)));
  if (m.timestamp !== undefined && m.timestamp !== null) {
    const date = new Date(m.timestamp as string);
    if (Number.isNaN(date.getTime()))
      throw new NonRetryableError(`from item ${index + 1}: timestamp '${String(m.timestamp)}' is not a date`);
    set("timestamp", Math.floor(date.getTime() / 1000));
  }
  return { body: bodyOf(m.data, serde, `from item ${index + 1}`), options };
}

/** Kestra's JSON serde writes a text as a JSON string (`"abc"`), as it does any other value. */
export function bodyOf(value: unknown, serde: AmqpSerde | "BYTES", where: string): Buffer {
  return serde === "JSON" && typeof value === "string"
    ? Buffer.from(JSON.stringify(value), "utf8")
    : serialize(value, serde, where);
}

function expirationMs(value: unknown): number {
  if (typeof value === "number") return value;
  try {
    return parseDuration(String(value));
  } catch {
    throw new NonRetryableError(`expiration '${String(value)}' must be an ISO-8601 duration such as PT30S`);
  }
}
