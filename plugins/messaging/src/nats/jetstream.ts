/**
 * A JetStream pull consumer on the stream that holds `subject`, as Kestra's NATS consumers
 * create one: explicit acks, the chosen deliver policy, durable when `durableId` is given (its
 * position survives between runs), else a consumer of this run only, removed after it.
 */
import { randomUUID } from "node:crypto";
import type { Consumer, ConsumerConfig, DeliverPolicy, JsMsg, NatsConnection } from "nats";
import { NonRetryableError, z } from "@saker/sdk";

/** Kestra's `deliverPolicy` values and the members of the nats library's `DeliverPolicy` they name. */
const DELIVER_POLICIES = {
  All: "All",
  Last: "Last",
  New: "New",
  ByStartSequence: "StartSequence",
  ByStartTime: "StartTime",
  LastPerSubject: "LastPerSubject",
} as const satisfies Record<string, keyof typeof DeliverPolicy>;
export type KestraDeliverPolicy = keyof typeof DELIVER_POLICIES;

export const subscribeShape = {
  subject: z.string().min(1).describe("The subject (or wildcard) to consume; a JetStream stream must hold it."),
  durableId: z
    .string()
    .optional()
    .describe("A durable consumer name: its position is kept, so the next run starts where this one stopped."),
  since: z
    .string()
    .optional()
    .describe(
      "An ISO-8601 date-time: only messages stored since then (for a new consumer), with deliverPolicy ByStartTime.",
    ),
  deliverPolicy: z
    .enum(Object.keys(DELIVER_POLICIES) as [KestraDeliverPolicy, ...KestraDeliverPolicy[]])
    .default("All")
    .describe("Where a new consumer starts: All, Last, New, ByStartSequence, ByStartTime or LastPerSubject."),
  batchSize: z.number().int().min(1).default(10).describe("How many messages one fetch asks for."),
};

export interface SubscribeProps {
  subject: string;
  durableId?: string | undefined;
  since?: string | undefined;
  deliverPolicy: KestraDeliverPolicy;
}

export interface PullConsumer {
  consumer: Consumer;
  stream: string;
  /** Removes a consumer made for this run only. */
  release(): Promise<void>;
}

/** The consumer to pull from; a durable one that exists already is used as it is. */
export async function openPullConsumer(nc: NatsConnection, props: SubscribeProps): Promise<PullConsumer> {
  const jsm = await nc.jetstreamManager();
  let stream: string;
  try {
    stream = await jsm.streams.find(props.subject);
  } catch (error) {
    throw new NonRetryableError(
      `NATS: no JetStream stream holds subject '${props.subject}' (${(error as Error).message}); create a stream for it first`,
    );
  }
  const { AckPolicy, DeliverPolicy, nanos } = await import("nats");
  const config: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy[DELIVER_POLICIES[props.deliverPolicy]],
    filter_subject: props.subject,
  };
  if (props.since) {
    const since = new Date(props.since);
    if (Number.isNaN(since.getTime()))
      throw new NonRetryableError(`NATS: since '${props.since}' is not an ISO-8601 date-time`);
    config.opt_start_time = since.toISOString();
    config.deliver_policy = DeliverPolicy.StartTime;
  }
  let name: string;
  let temporary = false;
  if (props.durableId) {
    name = props.durableId;
    const existing = await jsm.consumers.info(stream, name).catch(() => undefined);
    if (!existing) await jsm.consumers.add(stream, { ...config, durable_name: name });
  } else {
    name = `saker-${randomUUID()}`;
    temporary = true;
    await jsm.consumers.add(stream, { ...config, name, inactive_threshold: nanos(5 * 60_000) });
  }
  const consumer = await nc.jetstream().consumers.get(stream, name);
  return {
    consumer,
    stream,
    release: async () => {
      if (temporary && !nc.isClosed()) await jsm.consumers.delete(stream, name).catch(() => false);
    },
  };
}

/** What Kestra keeps of a message: subject, headers (name → values), data as text, timestamp. */
export function natsRecord(message: JsMsg): {
  subject: string;
  headers: Record<string, string[]>;
  data: string;
  timestamp: Date;
} {
  const headers: Record<string, string[]> = {};
  if (message.headers) for (const [key, values] of message.headers) headers[key] = values;
  return {
    subject: message.subject,
    headers,
    data: Buffer.from(message.data).toString("utf8"),
    timestamp: new Date(Math.floor(message.info.timestampNanos / 1_000_000)),
  };
}

/** Up to `max` messages, waiting at most `waitMs` (JetStream's minimum wait is one second). */
export async function fetchBatch(consumer: Consumer, max: number, waitMs: number): Promise<JsMsg[]> {
  const batch: JsMsg[] = [];
  const messages = await consumer.fetch({ max_messages: max, expires: Math.max(1_000, waitMs) });
  for await (const message of messages) batch.push(message);
  return batch;
}
