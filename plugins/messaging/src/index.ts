/**
 * `@saker/plugin-messaging`: Kestra's messaging plugins, one folder per family (NATS JetStream,
 * Redis, AMQP, MQTT, Kafka), sharing `core/` (serdes, the consume loop, Ion files, broker errors).
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { amqpTasks, amqpTriggers } from "./amqp/index.ts";
import { kafkaTasks, kafkaTriggers } from "./kafka/index.ts";
import { mqttTasks, mqttTriggers } from "./mqtt/index.ts";
import { natsTasks, natsTriggers } from "./nats/index.ts";
import { redisTasks, redisTriggers } from "./redis/index.ts";

export default definePlugin({
  group: "io.kestra.plugin",
  title: "Messaging",
  description:
    "Saker plugin: produce, consume and trigger on NATS JetStream, AMQP (RabbitMQ), MQTT, Redis and Kafka (Kestra's io.kestra.plugin.{nats,amqp,mqtt,redis,kafka}.*)",
  tasks: [...natsTasks, ...redisTasks, ...amqpTasks, ...mqttTasks, ...kafkaTasks],
  triggers: [...natsTriggers, ...redisTriggers, ...amqpTriggers, ...mqttTriggers, ...kafkaTriggers],
});
