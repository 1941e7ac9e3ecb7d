/**
 * `@saker/plugin-messaging`: Messaging.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";

export default definePlugin({
  group: "io.kestra.plugin",
  title: "Messaging",
  description:
    "Saker plugin: produce, consume and trigger on NATS JetStream, AMQP (RabbitMQ), MQTT, Redis and Kafka (Kestra's io.kestra.plugin.{nats,amqp,mqtt,redis,kafka}.*)",
  tasks: [],
  triggers: [],
});
