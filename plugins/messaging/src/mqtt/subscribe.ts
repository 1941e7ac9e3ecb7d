/**
 * Receiving MQTT messages: into an Ion file until a stop condition (Subscribe and the polling
 * Trigger), or one at a time into executions (RealtimeTrigger) on a persistent session whose
 * messages are acknowledged only once their execution is stored.
 */
import { createHash } from "node:crypto";
import type { IPublishPacket, MqttClient } from "mqtt";

type QoS = 0 | 1 | 2;
import { NonRetryableError, TaskError, type Logger, type TaskStorage } from "@saker/sdk";
import { openIonRecordFile } from "../core/index.ts";
import { describeError } from "../core/redactText.ts";
import { requireStopCondition, waitForStop, type StopLimits } from "../core/stopConditions.ts";
import { brokerName, closeMqtt, openMqtt, type MqttConnectionProps } from "./connection.ts";
import { messageRecord, topicList, type MqttSerde } from "./message.ts";

export interface SubscribeProps extends MqttConnectionProps {
  topic: unknown;
  serdeType: MqttSerde;
  qos: number;
}

export interface SubscribeEnv {
  signal: AbortSignal;
  logger: Logger;
  storage: Pick<TaskStorage, "putFile" | "readFile">;
  workingDir(): Promise<string>;
}

export function checkQos(qos: number): QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new NonRetryableError(`qos must be 0, 1 or 2, got ${qos}`);
  return qos;
}

async function subscribeAll(client: MqttClient, topics: string[], qos: QoS, where: string): Promise<void> {
  let grants;
  try {
    grants = await client.subscribeAsync(topics, { qos });
  } catch (error) {
    throw new TaskError(`Cannot subscribe to ${topics.join(", ")} on ${where}: ${describeError(error)}`);
  }
  const refused = grants.filter((g) => g.qos === 128).map((g) => g.topic);
  if (refused.length > 0)
    throw new NonRetryableError(`The MQTT broker at ${where} refused the subscription to ${refused.join(", ")}`);
}

/** Subscribes until a stop condition; stores the messages and returns their count and URI. */
export async function subscribeBatch(
  props: SubscribeProps & StopLimits,
  env: SubscribeEnv,
): Promise<{ messagesCount: number; uri: string }> {
  requireStopCondition(props);
  const topics = topicList(props.topic);
  const qos = checkQos(props.qos);
  const where = brokerName(props.server);
  const batch = await openIonRecordFile(() => env.workingDir(), env.storage);
  let received = 0;
  let failure: Error | undefined;
  const client = await openMqtt(
    props,
    {
      onMessage: async (packet) => {
        if (failure || (props.maxRecords !== undefined && received >= props.maxRecords)) return;
        try {
          const record = messageRecord(packet, props.serdeType);
          received++;
          await batch.write(record);
        } catch (error) {
          failure ??= error as Error;
        }
      },
    },
    env.signal,
    env.storage,
  );
  try {
    client.on("close", () => (failure ??= new TaskError(`The connection to the MQTT broker at ${where} closed`)));
    await subscribeAll(client, topics, qos, where);
    await waitForStop(
      props,
      () => received,
      env.signal,
      () => failure !== undefined,
    );
    if (failure) throw failure;
    await client.unsubscribeAsync(topics).catch(() => undefined);
    const uri = await batch.store();
    env.logger.debug("Received {} messages from {}", received, topics.join(", "));
    return { messagesCount: received, uri };
  } finally {
    client.removeAllListeners("close");
    await closeMqtt(client, failure !== undefined);
    await batch.discard().catch(() => undefined);
  }
}

/** A client id that stays the same for one trigger across restarts, so its persistent session is found again. */
export function triggerClientId(flow: { namespace: string; id: string }, triggerId: string): string {
  const hash = createHash("sha256").update(`${flow.namespace}/${flow.id}/${triggerId}`).digest("hex").slice(0, 16);
  return `saker-${hash}`;
}

/**
 * Delivers messages one at a time to `handle` until `signal` aborts, on a persistent session: a
 * message is acknowledged once `handle` resolved, so one received but not handled (the instance
 * stopped, the execution could not be stored) is delivered again on the next connection.
 */
export async function listenTopics(
  props: SubscribeProps,
  signal: AbortSignal,
  logger: Logger,
  storage: Pick<TaskStorage, "readFile">,
  handle: (record: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const topics = topicList(props.topic);
  const qos = checkQos(props.qos);
  const where = brokerName(props.server);
  let failure: Error | undefined;
  let wake: () => void = () => undefined;
  // Settles when the listener must stop: the signal aborted or a message could not be handled.
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const fail = (error: Error) => {
    failure ??= error;
    wake();
  };
  const client = await openMqtt(
    props,
    {
      persistent: true,
      onMessage: async (packet: IPublishPacket) => {
        if (failure || signal.aborted) throw new Error("stopping");
        let record: Record<string, unknown>;
        try {
          record = messageRecord(packet, props.serdeType);
        } catch (error) {
          // Acknowledged all the same: a message that cannot be read would come back for ever.
          logger.error("Message dropped: {}", describeError(error));
          return;
        }
        try {
          await handle(record);
        } catch (error) {
          fail(error as Error);
          throw error;
        }
      },
    },
    signal,
    storage,
  );
  try {
    client.on("close", () => fail(new TaskError(`The connection to the MQTT broker at ${where} closed`)));
    // Messages of the persistent session may come first and hold the SUBACK back: stopping must not wait for it.
    const subscribed = subscribeAll(client, topics, qos, where);
    subscribed.catch(() => undefined);
    await Promise.race([subscribed, stopped]);
    await stopped;
    if (failure && !signal.aborted) throw failure;
  } finally {
    client.removeAllListeners("close");
    // Forced: a message being handled is not acknowledged, the broker keeps it for the next session.
    await closeMqtt(client, true);
  }
}
