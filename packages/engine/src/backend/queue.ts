/**
 * Messages between the executor, the workers and the scheduler, with at-least-once delivery: a
 * message is claimed under a lease, handled, then acknowledged (deleted) in the same transaction
 * as the state change it caused. A message whose handler died is claimed again once its lease is
 * reaped: at the next open on SQLite (one process), by any process's reaper on a shared database.
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

/** Frees leases: those expired at `now`, and every lease of an owner not in `aliveOwners` (when given). */
export interface ReapOptions {
  now?: number;
  aliveOwners?: readonly string[];
}

/** What a claim is limited to (on a shared database; the embedded one has a single worker). */
export interface ClaimOptions {
  /** Worker jobs: only those of this worker group (a task's `workerGroup.key`); none: only ungrouped ones. */
  workerGroup?: string;
}

export interface Queue {
  /** Adds messages; inside a transaction they commit (or vanish) with its other writes. */
  send(messages: readonly NewMessage[]): Promise<void>;
  /**
   * Adds messages already claimed by `owner` until now + `leaseMs` (a role of the same process
   * handles them, handed over in memory); returns them with their sequence numbers.
   */
  sendClaimed<T>(messages: readonly NewMessage<T>[], owner: string, leaseMs: number): Promise<QueueMessage<T>[]>;
  /**
   * Claims up to `limit` ready messages of a topic, oldest first, for `owner` until now + `leaseMs`.
   * A claimed message is handed to nobody else until acknowledged, released or reaped.
   */
  claim<T>(
    topic: Topic,
    limit: number,
    owner: string,
    leaseMs: number,
    options?: ClaimOptions,
  ): Promise<QueueMessage<T>[]>;
  /** Deletes handled messages. */
  ack(seqs: readonly number[]): Promise<void>;
  /**
   * On a shared database, inside a transaction: acknowledges messages `owner` still claims, and
   * fails the transaction with `CLAIMS_LOST` (backend/fence.ts) when one of them is no longer its
   * own (freed because its owner was declared dead, or taken by another). The rows are locked by
   * the delete, so that no one frees or takes them before the commit.
   */
  ackHeld?(seqs: readonly number[], owner: string): Promise<void>;
  /** Gives a claimed message back, to be claimed again from `availableAt` (now by default). */
  release(seq: number, availableAt?: number): Promise<void>;
  /** Renews the leases `owner` holds on these messages until now + `leaseMs`; returns how many it still held. */
  extend(seqs: readonly number[], owner: string, leaseMs: number): Promise<number>;
  /** When the next unclaimed message of a topic becomes ready (epoch ms), if any. */
  nextAvailable(topic: Topic): Promise<number | undefined>;
  /** Drops unclaimed messages of a topic for a key (the queued jobs of a killed execution). */
  dropPending(topic: Topic, key: string): Promise<number>;
  /** Drops every message of a topic for a key, claimed or not (an execution failed from outside). */
  dropAll(topic: Topic, key: string): Promise<number>;
  /** The claimed messages of a topic, oldest first (at open: what a dead process was handling). */
  claimed<T>(topic: Topic): Promise<QueueMessage<T>[]>;
  /** Whether any message (claimed or not, any topic) is keyed by `key`. */
  hasKey(key: string): Promise<boolean>;
  /** Frees leases (see `ReapOptions`); returns how many messages became claimable again. */
  reapExpired(options?: ReapOptions): Promise<number>;
}
