/** A row of PostgreSQL's queue table, and the message it holds. */
import type { QueueMessage, Topic } from "../queue.ts";
import { int } from "./sql.ts";

export interface QueueRow {
  seq: string;
  topic: Topic;
  key: string | null;
  payload: string;
  available_at: string;
}

export function toQueueMessage<T>(r: QueueRow): QueueMessage<T> {
  return {
    seq: int(r.seq),
    topic: r.topic,
    key: r.key,
    payload: JSON.parse(r.payload) as T,
    availableAt: int(r.available_at),
  };
}
