/** Kestra's Kafka family: `io.kestra.plugin.kafka.*`, on kafkajs. */
export { kafkaTasks } from "./tasks.ts";
export { kafkaTriggers } from "./triggers.ts";
