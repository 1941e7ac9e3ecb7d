export const mqttTasks = [];
export const mqttTriggers = [];
