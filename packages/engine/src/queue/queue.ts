/**
 * Messages between the executor and the workers, with at-least-once delivery: a message is
 * claimed, handled, then deleted in the same transaction as the state change it caused. A
 * message whose handler died is claimed again after a restart.
 */
export type Topic = "executor" | "worker" | "scheduler";

export interface QueueMessage<T = unknown> {
  seq: number;
  topic: Topic;
  key: string | null;
  payload: T;
  availableAt: number;
}

export interface NewMessage<T = unknown> {
  topic: Topic;
  key?: string | null;
  payload: T;
  /** Epoch ms; now when omitted. */
  availableAt?: number;
}
