/**
 * Hand-over between the roles of one process. A role that sends a message another role of this
 * process will handle (the executor's worker job, the worker's result) inserts it already claimed
 * by this process, under a lease, in the same transaction as the rest of its step, and after the
 * commit gives it to that role in memory: no claim, no queue round trip. The row stays in the
 * queue, claimed, until the receiving role acknowledges it with its own step; after a crash the
 * claim is reaped and the message handled again, as any claimed message is.
 */
import type { Backend } from "../backend/backend.ts";
import type { QueueMessage, Topic } from "../backend/queue.ts";

/** The role receiving a topic's messages in this process. */
export interface Receiver {
  /** How many more messages it can take now (the worker: its free slots). */
  room(): number;
  /** Takes committed messages claimed for it. */
  take(messages: QueueMessage[]): void;
}

export class LocalHandoff {
  private readonly receivers = new Map<Topic, { receiver: Receiver; reserved: number }>();

  /** Registers the receiver of a topic; the returned function unregisters it. */
  register(topic: Topic, receiver: Receiver): () => void {
    const entry = { receiver, reserved: 0 };
    this.receivers.set(topic, entry);
    return () => {
      if (this.receivers.get(topic) === entry) this.receivers.delete(topic);
    };
  }

  /** How many messages of a topic are reserved and not yet delivered (the receiver counts them as taken). */
  reserved(topic: Topic): number {
    return this.receivers.get(topic)?.reserved ?? 0;
  }

  /**
   * Reserves room for up to `wanted` messages of a topic; returns how many may be sent claimed
   * (0 when no role of this process receives the topic). Each reservation ends with `deliver` or
   * `cancel`.
   */
  reserve(topic: Topic, wanted: number): Reservation {
    const entry = this.receivers.get(topic);
    const granted = entry ? Math.max(0, Math.min(wanted, entry.receiver.room() - entry.reserved)) : 0;
    if (entry) entry.reserved += granted;
    let open = granted > 0;
    const end = () => {
      if (open && this.receivers.get(topic) === entry) entry!.reserved -= granted;
      open = false;
    };
    return {
      granted,
      deliver: (messages) => {
        end();
        if (!messages.length) return true;
        const current = this.receivers.get(topic);
        if (current !== entry || !entry) return false;
        entry.receiver.take(messages);
        return true;
      },
      cancel: end,
    };
  }
}

export interface Reservation {
  readonly granted: number;
  /** Hands the committed messages over; false when their receiver has gone (stopped) meanwhile. */
  deliver(messages: QueueMessage[]): boolean;
  /** The messages were not sent (the transaction failed). */
  cancel(): void;
}

const handoffs = new WeakMap<Backend, LocalHandoff>();

/** The hand-over of the roles sharing this backend (one process). */
export function localHandoff(backend: Backend): LocalHandoff {
  let handoff = handoffs.get(backend);
  if (!handoff) handoffs.set(backend, (handoff = new LocalHandoff()));
  return handoff;
}
