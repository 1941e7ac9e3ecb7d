/** Kestra's MQTT family: `io.kestra.plugin.mqtt.*`, MQTT 3.1.1 (`V3`) and 5 (`V5`). */
export { mqttTasks } from "./tasks.ts";
export { mqttTriggers } from "./triggers.ts";
