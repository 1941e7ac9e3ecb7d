/** Kestra's AMQP (RabbitMQ) family: `io.kestra.plugin.amqp.*`. */
export { amqpTasks } from "./tasks.ts";
export { amqpTriggers } from "./triggers.ts";
