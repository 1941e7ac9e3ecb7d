/**
 * Consuming Kafka topics into an Ion file (Consume, the polling Trigger) and one record at a time
 * into executions (RealtimeTrigger). Offsets are committed only after what the records became is
 * safe (the file stored, the execution stored), and only with a `groupId`, as Kestra does.
 */
import { randomUUID } from "node:crypto";
import type { Consumer, EachMessagePayload } from "kafkajs";
import { errorMessage, NonRetryableError, type Logger, type TaskStorage } from "@saker/sdk";
import { RegexError } from "@saker/sdk/regex";
import { openIonRecordFile, withDeadline, type BrokerContext } from "../core/index.ts";
import { waitForStop, type StopLimits } from "../core/stopConditions.ts";
import { kafkaClient, kafkaError } from "./client.ts";
import { kafkaCodec, type KafkaCodec } from "./codecs.ts";
import { matchesHeaders, messageRecord } from "./records.ts";
import { checkSerde, type KafkaSerde } from "./serdes.ts";
import { lazyAdmin, ResumePoints, uncommittedEnds, watchNewTopics, type Position } from "./newTopics.ts";
import { TopicPattern } from "./topicPattern.ts";

export { TopicPattern };

export interface KafkaConsumeProps {
  properties: Record<string, string>;
  topic?: string | string[] | undefined;
  topicPattern?: string | undefined;
  groupId?: string | undefined;
  keyDeserializer: KafkaSerde;
  valueDeserializer: KafkaSerde;
  headerFilters?: Record<string, string> | undefined;
  groupType?: string | undefined;
  partitions?: unknown;
  since?: string | undefined;
  onSerdeError?: unknown;
  serdeProperties?: Record<string, string> | undefined;
  schemaRegistryVendor?: unknown;
}

export interface KafkaEnv extends BrokerContext {
  signal: AbortSignal;
  logger: Logger;
  storage: Pick<TaskStorage, "putFile">;
  workingDir(): Promise<string>;
}

/** The topics to subscribe to: a list of names, or one pattern. */
export function subscription(props: KafkaConsumeProps): { topics: Array<string | RegExp> } {
  if (props.topic !== undefined && props.topicPattern !== undefined)
    throw new NonRetryableError("Set topic or topicPattern, not both");
  if (props.topicPattern !== undefined) {
    try {
      return { topics: [new TopicPattern(props.topicPattern)] };
    } catch (error) {
      throw new NonRetryableError(
        `'${props.topicPattern}' is not a valid regular expression: ${error instanceof RegexError ? error.problem : errorMessage(error)}`,
        { path: "topicPattern", cause: error },
      );
    }
  }
  const topics = Array.isArray(props.topic) ? props.topic : props.topic !== undefined ? [props.topic] : [];
  if (topics.length === 0) throw new NonRetryableError("topic or topicPattern is required");
  return { topics };
}

/** Properties Kestra has that Saker's Kafka plugin does not implement: an error naming them rather than a silent difference. */
export function checkConsumeSupport(props: KafkaConsumeProps): void {
  checkSerde(props.keyDeserializer, "keyDeserializer");
  checkSerde(props.valueDeserializer, "valueDeserializer");
  const unsupported = [
    props.groupType !== undefined && props.groupType !== "CONSUMER" ? "groupType SHARE" : undefined,
    props.partitions !== undefined ? "partitions" : undefined,
    props.since !== undefined ? "since" : undefined,
    props.onSerdeError !== undefined ? "onSerdeError" : undefined,
  ].filter(Boolean);
  if (unsupported.length > 0)
    throw new NonRetryableError(`Not supported by Saker's Kafka plugin: ${unsupported.join(", ")}`);
}

const SUBSCRIBE_TIMEOUT_MS = 30_000;

/** The key and value codecs of a consumer (AVRO checks its registry's URL here). */
export async function consumeCodecs(
  props: KafkaConsumeProps,
  ctx: BrokerContext,
): Promise<{ key: KafkaCodec; value: KafkaCodec }> {
  const options = {
    serdeProperties: props.serdeProperties,
    schemaRegistryVendor: props.schemaRegistryVendor,
    signal: ctx.signal,
    outbound: ctx,
  };
  return {
    key: await kafkaCodec(props.keyDeserializer, "key", "keyDeserializer", options),
    value: await kafkaCodec(props.valueDeserializer, "value", "valueDeserializer", options),
  };
}

async function startConsumer(props: KafkaConsumeProps, env: Pick<KafkaEnv, "logger">, signal: AbortSignal) {
  checkConsumeSupport(props);
  const { topics } = subscription(props);
  const { kafka, settings } = await kafkaClient(props.properties, env.logger);
  const groupId = props.groupId ?? settings.groupId;
  // kafkajs always consumes in a group: without groupId a private one is used and never committed.
  const group = groupId ?? `saker-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId: group,
    metadataMaxAge: settings.metadataMaxAge,
    readUncommitted: settings.readUncommitted,
    allowAutoTopicCreation: false,
    ...(settings.sessionTimeout ? { sessionTimeout: settings.sessionTimeout } : {}),
  });
  try {
    const subscribed = (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: settings.fromBeginning });
    })();
    // kafkajs retries on its own and takes no signal: the task's stop must not wait for it.
    await withDeadline(subscribed, { ms: SUBSCRIBE_TIMEOUT_MS, signal, what: "Subscribing to Kafka" });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError(error, "Cannot subscribe to Kafka", settings);
  }
  // kafkajs resolves a pattern when subscribing: a topic created later needs a new subscription
  const pattern = topics[0] instanceof TopicPattern ? topics[0] : undefined;
  const noTopic = pattern !== undefined && pattern.matched.size === 0;
  if (noTopic) env.logger.warn("No topic matches topicPattern '{}'", pattern.pattern);
  return { kafka, consumer, settings, pattern, group, commit: groupId !== undefined, noTopic };
}

async function commit(consumer: Consumer, positions: Iterable<Position>): Promise<void> {
  const list = [...positions];
  if (list.length > 0) await consumer.commitOffsets(list);
}

/**
 * Consumes until no record came for `pollDuration`, or `maxRecords`, or `maxDuration`; stores the
 * records and commits their offsets (with a groupId) once the file is stored.
 */
export async function consumeBatch(
  props: KafkaConsumeProps & StopLimits & { pollDuration: number },
  env: KafkaEnv,
): Promise<{ messagesCount: number; uri: string }> {
  checkConsumeSupport(props);
  const codecs = await consumeCodecs(props, env);
  const batch = await openIonRecordFile(() => env.workingDir(), env.storage);
  const { consumer, settings, commit: commits, noTopic } = await startConsumer(props, env, env.signal);
  const positions = new Map<string, Position>();
  let received = 0;
  let failure: Error | undefined;
  let idleSince = Date.now();
  // without a topic no group is joined: idle from now, as a Java consumer that polls nothing
  let joined = noTopic;
  // Set once the stop condition is met: later records are neither written nor committed.
  let stopping = false;
  let writing: Promise<void> = Promise.resolve();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    idleSince = Date.now();
  });
  try {
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (stopping || failure || (props.maxRecords !== undefined && received >= props.maxRecords)) return;
        idleSince = Date.now();
        const next = { topic, partition, offset: String(Number(message.offset) + 1) };
        if (!matchesHeaders(message, props.headerFilters)) {
          positions.set(`${topic}:${partition}`, next);
          return;
        }
        try {
          const record = await messageRecord(topic, partition, message, codecs.key, codecs.value);
          received++;
          positions.set(`${topic}:${partition}`, next);
          writing = batch.write(record);
          await writing;
        } catch (error) {
          failure ??= error as Error;
        }
      },
    });
    await waitForStop(
      props,
      () => received,
      env.signal,
      () => failure !== undefined || (joined && Date.now() - idleSince > props.pollDuration),
    );
    stopping = true;
    await writing.catch(() => undefined);
    if (failure) throw failure;
    const uri = await batch.store();
    // kafkajs commits only while its consumer runs: commit, then stop.
    if (commits) await commit(consumer, positions.values());
    await consumer.stop();
    return { messagesCount: received, uri };
  } catch (error) {
    throw kafkaError(error, "Consuming from Kafka", settings);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await batch.discard().catch(() => undefined);
  }
}

/**
 * Hands records one at a time to `handle` until `signal` aborts; the record's offset is committed
 * (with a groupId) once `handle` resolved. A record that cannot be read is logged and skipped; an
 * error of `handle` ends the listener without committing, so the record comes again.
 *
 * With a `topicPattern`, topics created later that it selects are consumed too, found within
 * `metadata.max.age.ms` as Java's consumer finds them (`newTopics.ts`): the consumer then stops
 * after the record it is handling, commits where it is ({@link ResumePoints}), subscribes again and
 * runs anew (with a groupId, the whole group rebalances twice); new topics start at
 * `auto.offset.reset`.
 */
export async function listenKafka(
  props: KafkaConsumeProps,
  ctx: BrokerContext & { logger: Logger },
  handle: (record: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const { signal, logger } = ctx;
  checkConsumeSupport(props);
  const codecs = await consumeCodecs(props, ctx);
  const started = await startConsumer(props, { logger }, signal);
  const { kafka, consumer, settings, pattern, group, commit: commits } = started;
  let failure: Error | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const ended = () => failure !== undefined || signal.aborted;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    failure ??= kafkaError(payload.error, "The Kafka consumer stopped", settings);
    wake();
  });
  // kept only for a topicPattern, whose consumer subscribes again when new topics come
  const resume = pattern ? new ResumePoints() : undefined;
  const admin = pattern ? lazyAdmin(kafka) : undefined;
  if (resume && admin)
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assignment = payload.memberAssignment;
      resume.joined(
        assignment,
        settings.fromBeginning
          ? undefined
          : async () => uncommittedEnds(await admin.get(), group, assignment).catch(() => []),
      );
    });
  let resubscribing = false;
  let handling: Promise<void> = Promise.resolve();
  const eachMessage = async ({ topic, partition, message }: EachMessagePayload) => {
    if (ended()) return;
    if (resubscribing) return resume?.deferred(topic, partition, message.offset);
    if (!matchesHeaders(message, props.headerFilters)) return resume?.handled(topic, partition, message.offset);
    let record: Record<string, unknown>;
    try {
      record = await messageRecord(topic, partition, message, codecs.key, codecs.value);
    } catch (error) {
      logger.error("Record skipped: {}", (error as Error).message);
      return resume?.handled(topic, partition, message.offset);
    }
    // decoding took a turn: the consumer may have begun to subscribe again meanwhile
    if (ended()) return;
    if (resubscribing) return resume?.deferred(topic, partition, message.offset);
    const done = (async () => {
      try {
        await handle(record);
        resume?.handled(topic, partition, message.offset);
        if (commits) await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      } catch (error) {
        failure ??= error as Error;
        wake();
      }
    })();
    handling = done;
    await done;
  };
  // Subscribes again once the record being handled is done: stops after it (records handed on
  // meanwhile are left for the new run), commits where each assigned partition is, runs anew.
  const resubscribe = async (topics: string[]) => {
    if (ended() || !pattern || !resume) return;
    resubscribing = true;
    try {
      await handling;
      await commit(consumer, await resume.due());
      await consumer.stop();
      const before = new Set(pattern.matched);
      await consumer.subscribe({ topics: [pattern], fromBeginning: settings.fromBeginning });
      const added = [...pattern.matched].filter((topic) => !before.has(topic));
      resubscribing = false;
      if (ended()) return;
      await consumer.run({ autoCommit: false, eachMessage });
      logger.info(
        "Consuming {} too: new topics matching topicPattern '{}'",
        (added.length ? added : topics).join(", "),
        pattern.pattern,
      );
    } catch (error) {
      // the consumer may be stopped now: the listener ends, to be started again
      failure ??= kafkaError(error, "Subscribing to the new topics", settings);
      wake();
    }
  };
  let stopWatching: (() => Promise<void>) | undefined;
  try {
    // kafkajs' run resolves once the consumer joined its group: no new subscription before that
    await consumer.run({ autoCommit: false, eachMessage });
    if (pattern && admin && !ended())
      stopWatching = watchNewTopics(admin, pattern, settings.metadataMaxAge, logger, resubscribe);
    await stopped;
    if (failure && !signal.aborted) throw failure;
  } finally {
    await stopWatching?.();
    await consumer.disconnect().catch(() => undefined);
    await admin?.close();
  }
}
