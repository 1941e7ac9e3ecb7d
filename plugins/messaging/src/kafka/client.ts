/**
 * The Kafka client of one task run: kafkajs configured from Kestra's `properties`, quiet (its
 * errors reach the task as exceptions), and its errors turned into messages naming the brokers.
 */
import type { Kafka } from "kafkajs";
import { NonRetryableError, TaskError, type Logger } from "@saker/sdk";
import { describeError } from "../core/redactText.ts";
import { kafkaSettings, type KafkaSettings } from "./config.ts";

export async function kafkaClient(
  properties: Readonly<Record<string, string>>,
  logger: Logger,
): Promise<{ kafka: Kafka; settings: KafkaSettings }> {
  const settings = kafkaSettings(properties);
  if (settings.ignored.length > 0) logger.warn("Kafka properties without effect here: {}", settings.ignored.join(", "));
  const { Kafka, logLevel } = await import("kafkajs");
  return { kafka: new Kafka({ ...settings.client, logLevel: logLevel.NOTHING }), settings };
}

/** A kafkajs error as a task error naming what was being done and the brokers. */
export function kafkaError(error: unknown, what: string, settings: KafkaSettings): Error {
  if (error instanceof NonRetryableError || error instanceof TaskError) return error;
  const brokers = Array.isArray(settings.client.brokers) ? settings.client.brokers.join(",") : "the brokers";
  const text = describeError(error);
  if (/SASL|authenticat/i.test(text))
    return new NonRetryableError(`${what} on ${brokers}: authentication failed (${text})`);
  return new TaskError(`${what} on ${brokers}: ${text}`);
}
