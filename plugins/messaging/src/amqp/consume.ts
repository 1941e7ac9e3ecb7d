/**
 * Consuming a queue into an Ion file (the Consume task and the polling Trigger), and one message
 * at a time into executions (the RealtimeTrigger). Messages are acknowledged only once what they
 * became is safe: the batch file stored, or the execution stored.
 */
import type { Channel, ConsumeMessage } from "amqplib";
import { NonRetryableError, TaskError, type Logger, type TaskStorage } from "@saker/sdk";
import { channelError, openAmqp, type AmqpConnectionProps } from "./connection.ts";
import { messageRecord, type AmqpSerde } from "./message.ts";
import { openIonRecordFile } from "../core/index.ts";
import { requireStopCondition, waitForStop, type StopLimits } from "../core/stopConditions.ts";
import { describeError } from "../core/redactText.ts";

export interface ConsumeProps extends AmqpConnectionProps, StopLimits {
  queue: string;
  consumerTag: string;
  serdeType: AmqpSerde;
  autoAck: boolean;
}

/** Without `maxDuration`, a consumer waits at most this long for `maxRecords` (as Kestra's does). */
const DEFAULT_WAIT_MS = 60_000;

export interface ConsumeEnv {
  signal: AbortSignal;
  logger: Logger;
  storage: Pick<TaskStorage, "putFile">;
  workingDir(): Promise<string>;
}

/** Consumes until a stop condition; stores the messages and returns their count and URI. */
export async function consumeBatch(props: ConsumeProps, env: ConsumeEnv): Promise<{ count: number; uri: string }> {
  requireStopCondition(props);
  const model = await openAmqp(props, env.signal);
  const batch = await openIonRecordFile(() => env.workingDir(), env.storage);
  try {
    const channel = await model.createChannel();
    let failure: Error | undefined;
    channel.on("error", (error: unknown) => (failure ??= channelError(error, `Queue '${props.queue}'`)));
    let closing = false;
    channel.on("close", () => {
      if (!closing) failure ??= new TaskError(`The connection to RabbitMQ closed while consuming '${props.queue}'`);
    });
    // The broker sends no more than maxRecords unacknowledged messages: none is held back for nothing.
    if (props.maxRecords !== undefined && !props.autoAck) await channel.prefetch(Math.min(props.maxRecords, 65535));
    let last: ConsumeMessage | undefined;
    let received = 0;
    let writing = Promise.resolve();
    const { consumerTag } = await channel
      .consume(
        props.queue,
        (message) => {
          if (!message) {
            failure ??= new NonRetryableError(`The consumer of queue '${props.queue}' was cancelled by the broker`);
            return;
          }
          if (failure || (props.maxRecords !== undefined && received >= props.maxRecords)) return;
          try {
            const record = messageRecord(message, props.serdeType, `Message ${received + 1} of queue '${props.queue}'`);
            received++;
            last = message;
            writing = writing.then(() => batch.write(record));
          } catch (error) {
            failure = error as Error;
          }
        },
        { noAck: props.autoAck, consumerTag: props.consumerTag },
      )
      .catch((error: unknown) => {
        throw channelError(error, `Cannot consume queue '${props.queue}'`);
      });
    const limits = { ...props, maxDuration: props.maxDuration ?? DEFAULT_WAIT_MS };
    await waitForStop(
      limits,
      () => received,
      env.signal,
      () => failure !== undefined,
    );
    await channel.cancel(consumerTag).catch(() => undefined);
    await writing;
    closing = true;
    if (failure) throw failure;
    const uri = await batch.store();
    if (last && !props.autoAck) channel.ack(last, true);
    await channel.close().catch(() => undefined);
    env.logger.debug("Consumed {} messages from queue '{}'", batch.count, props.queue);
    return { count: batch.count, uri };
  } finally {
    await batch.discard().catch(() => undefined);
    // Closing returns every unacknowledged message to the queue.
    await model.close().catch(() => undefined);
  }
}

/**
 * Delivers messages one at a time to `handle` until `signal` aborts; a message is acknowledged
 * once `handle` resolved. A message that cannot be read (not JSON…) is rejected and logged; an
 * error of `handle` ends the listener and the message goes back to the queue.
 */
export async function listenQueue(
  props: Omit<ConsumeProps, keyof StopLimits>,
  signal: AbortSignal,
  logger: Logger,
  handle: (record: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const model = await openAmqp(props, signal);
  try {
    const channel: Channel = await model.createChannel();
    let failure: Error | undefined;
    let wake: () => void = () => undefined;
    // Settles when the listener must stop: the signal aborted or a message could not be handled.
    const stopped = new Promise<void>((resolve) => {
      wake = resolve;
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const fail = (error: Error) => {
      failure ??= error;
      wake();
    };
    channel.on("error", (error: unknown) => fail(channelError(error, `Queue '${props.queue}'`)));
    model.on("close", () => fail(new Error(`The connection to RabbitMQ closed while listening to '${props.queue}'`)));
    await channel.prefetch(1);
    let chain = Promise.resolve();
    await channel
      .consume(
        props.queue,
        (message) => {
          if (!message)
            return fail(new NonRetryableError(`The consumer of queue '${props.queue}' was cancelled by the broker`));
          chain = chain.then(async () => {
            if (failure || signal.aborted) return;
            let record: Record<string, unknown>;
            try {
              record = messageRecord(message, props.serdeType, `A message of queue '${props.queue}'`);
            } catch (error) {
              logger.error("Message rejected: {}", describeError(error));
              if (!props.autoAck) channel.nack(message, false, false);
              return;
            }
            try {
              await handle(record);
              if (!props.autoAck) channel.ack(message);
            } catch (error) {
              fail(error as Error);
            }
          });
        },
        { noAck: props.autoAck, consumerTag: props.consumerTag },
      )
      .catch((error: unknown) => {
        throw channelError(error, `Cannot consume queue '${props.queue}'`);
      });
    await stopped;
    if (failure && !signal.aborted) throw failure;
  } finally {
    await model.close().catch(() => undefined);
  }
}
