export const kafkaTasks = [];
export const kafkaTriggers = [];
