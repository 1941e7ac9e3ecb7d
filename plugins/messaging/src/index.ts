/**
 * `@saker/plugin-messaging`: Messaging.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { amqpTasks, amqpTriggers } from "./amqp/index.ts";
import { kafkaTasks, kafkaTriggers } from "./kafka/index.ts";
import { mqttTasks, mqttTriggers } from "./mqtt/index.ts";

export default definePlugin({
  group: "io.kestra.plugin",
  title: "Messaging",
  description:
    "Saker plugin: produce, consume and trigger on NATS JetStream, AMQP (RabbitMQ), MQTT, Redis and Kafka (Kestra's io.kestra.plugin.{nats,amqp,mqtt,redis,kafka}.*)",
  tasks: [...amqpTasks, ...mqttTasks, ...kafkaTasks],
  triggers: [...amqpTriggers, ...mqttTriggers, ...kafkaTriggers],
});
