/**
 * Hand-over between the roles of one process. A role that sends a message another role of this
 * process will handle (the executor's worker job, the worker's result) inserts it already claimed
 * by this process, under a lease, in the same transaction as the rest of its step, and after the
 * commit gives it to that role in memory: no claim, no queue round trip. The row stays in the
 * queue, claimed, until the receiving role acknowledges it with its own step; after a crash the
 * claim is reaped and the message handled again, as any claimed message is.
 */
import type { Metric } from "@saker/sdk";
import type { ExecutorEvent, LogEntry, WorkerJob } from "../executor/types.ts";
import type { Backend } from "../backend/backend.ts";
import type { NewMessage, QueueMessage, Topic } from "../backend/queue.ts";

/**
 * A worker job's outcome handed to this process's executor without being saved: its events for
 * the executor (`worker-started`, `worker-result`), its log lines and metrics, and the queue row of
 * the job, still claimed by this process. The executor's step writes the logs and metrics and
 * acknowledges the job in its own transaction; the events never become queue rows. Until then
 * nothing is on disk but the claimed job: a crash reaps it and the job runs again.
 */
export interface WorkerBundle {
  readonly job: WorkerJob;
  /** The job's queue row, claimed by this process and held in its leases until acknowledged. */
  readonly row: JobRow;
  /** The job ended with it (its row is acknowledged with it); else it only reports the job's start. */
  readonly final: boolean;
  readonly events: readonly NewMessage<ExecutorEvent>[];
  readonly logs: readonly LogEntry[];
  readonly metrics: readonly Metric[];
  /** Lines of `logs` nobody was told of yet (the job's step was not on disk): told after the commit. */
  readonly untold?: readonly LogEntry[];
}

/**
 * The queue row of a job this process's worker runs. A job handed to the worker before the step
 * that created it committed (the executor's pipeline) has none yet: the commit of that step inserts
 * it, claimed, if the job is still running then, and none at all if the job ended and its outcome
 * was handled within the same commit. If that commit fails the row is `stale`: the job's outcome
 * is dropped, and the job is created again when the step is redone from the database.
 */
export interface JobRow {
  seq: number | undefined;
  stale: boolean;
}

/** A worker job handed over before its step committed (`seq` negative, unique in this process). */
export interface HandedJob extends QueueMessage<WorkerJob> {
  readonly row: JobRow;
}

/** The row of a job the worker took: the message's own, or the one its step will insert. */
export function jobRow(message: QueueMessage): JobRow {
  return (message as Partial<HandedJob>).row ?? { seq: message.seq, stale: false };
}

/**
 * An event of a `WorkerBundle` as the executor's batch holds it: no queue row, so its `seq` is
 * negative (unique in this process); acknowledging it means acknowledging the bundle's job. A
 * bundle's events are stepped together: the step acknowledges the job and writes its lines once.
 */
export interface BundledMessage extends QueueMessage<ExecutorEvent> {
  readonly bundle: WorkerBundle;
}

export function isBundled(message: QueueMessage): message is BundledMessage {
  return (message as Partial<BundledMessage>).bundle !== undefined;
}

/** Whether `message` is an event of `bundle`. */
export function inBundle(message: QueueMessage, bundle: WorkerBundle): boolean {
  return isBundled(message) && message.bundle === bundle;
}

/** The queue rows to acknowledge (and whose leases end) for handled messages: a bundle's is its job. */
export function rowSeqs(messages: readonly QueueMessage[]): number[] {
  // most steps handle the outcome of a job whose row was never inserted: nothing to collect
  let seqs: Set<number> | undefined;
  for (const m of messages)
    if (!isBundled(m)) (seqs ??= new Set()).add(m.seq);
    else if (m.bundle.final && m.bundle.row.seq !== undefined) (seqs ??= new Set()).add(m.bundle.row.seq);
  return seqs ? [...seqs] : [];
}

/** The bundles of these messages, each once. */
export function bundlesOf(messages: readonly QueueMessage[]): WorkerBundle[] {
  let bundles: Set<WorkerBundle> | undefined;
  for (const m of messages) if (isBundled(m)) (bundles ??= new Set()).add(m.bundle);
  return bundles ? [...bundles] : [];
}

/**
 * Writes what handled messages leave behind in `tx` (a transaction): the logs and metrics of
 * their bundles, then `logs` (the step's own lines), and the acknowledgement of their rows (a
 * bundle's job). With `owner` (a shared database), only while `owner` still claims them: else the
 * transaction fails (`Queue.ackHeld`).
 */
export async function consume(
  tx: Backend,
  messages: readonly QueueMessage[],
  logs: readonly LogEntry[] = [],
  owner?: string,
): Promise<void> {
  const bundles = bundlesOf(messages);
  const lines = bundles.length ? [...bundles.flatMap((b) => b.logs), ...logs] : logs;
  if (lines.length) await tx.logs.append(lines);
  for (const bundle of bundles) if (bundle.metrics.length) await tx.metrics.append(bundle.job, bundle.metrics);
  const seqs = rowSeqs(messages);
  if (!seqs.length) return;
  if (owner !== undefined && tx.queue.ackHeld) await tx.queue.ackHeld(seqs, owner);
  else await tx.queue.ack(seqs);
}

/**
 * Saves a bundle as the worker would have (its events as unclaimed queue rows, logs, metrics,
 * the job acknowledged), for a bundle its executor will not handle (it stopped).
 */
export async function saveBundle(tx: Backend, bundle: WorkerBundle): Promise<void> {
  await tx.logs.append(bundle.logs);
  await tx.metrics.append(bundle.job, bundle.metrics);
  await tx.queue.send(bundle.events);
  if (bundle.final && bundle.row.seq !== undefined) await tx.queue.ack([bundle.row.seq]);
}

/** The role receiving a topic's messages in this process. */
export interface Receiver {
  /** How many more messages it can take now (the worker: its free slots). */
  room(): number;
  /** Takes committed messages claimed for it. */
  take(messages: QueueMessage[]): void;
  /** Takes a worker job's unsaved outcome (the executor only); false when it cannot now. */
  takeBundle?(bundle: WorkerBundle): boolean;
  /**
   * The rows of jobs handed over before their step committed are on disk now, or never will be
   * (`stale`) (the worker only).
   */
  rowsSettled?(rows: readonly JobRow[]): void;
}

export class LocalHandoff {
  private readonly receivers = new Map<Topic, { receiver: Receiver; reserved: number }>();
  private lastVirtualSeq = 0;

  /** A sequence number for a message that is no queue row (negative, unique in this process). */
  virtualSeq(): number {
    return --this.lastVirtualSeq;
  }

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
   * Hands a worker job's unsaved outcome to the receiver of its events (this process's executor);
   * false when there is none, or it cannot take it: the worker then saves it itself.
   */
  handBundle(bundle: WorkerBundle): boolean {
    return this.receivers.get("executor")?.receiver.takeBundle?.(bundle) ?? false;
  }

  /** Tells the worker that the rows of jobs it took before their step committed are on disk now, or stale. */
  rowsSettled(rows: readonly JobRow[]): void {
    if (rows.length) this.receivers.get("worker")?.receiver.rowsSettled?.(rows);
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
