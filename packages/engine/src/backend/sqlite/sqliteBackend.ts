/**
 * The embedded backend: one SQLite file (better-sqlite3, synchronous) behind the async `Backend`.
 *
 * better-sqlite3 has one connection, so a transaction is the connection's: `transaction(fn)` runs
 * BEGIN IMMEDIATE, awaits `fn`, then COMMIT (ROLLBACK when it throws), holding an in-process
 * mutex throughout. Any call on the backend itself while a transaction is open waits for the
 * mutex, so no other loop's write (or read of uncommitted rows) lands inside it. When no
 * transaction is open a call runs at once: the hot path costs one promise per call, no queueing.
 *
 * The synchronous stores stay reachable (`stores`) for callers not yet moved to the async API
 * (server routes, CLI, tests); they bypass the mutex, which is safe as long as they run in their
 * own macrotask: a transaction whose `fn` awaits only these (already settled) calls completes
 * within one microtask drain.
 */
import { randomBytes } from "node:crypto";
import type { KvEntry, Metric } from "@saker/sdk";
import type { ExecutorState, LogEntry, WorkerJob } from "../../executor/types.ts";
import type { Execution } from "../../model/execution.ts";
import type { SqliteDatabase } from "./database.ts";
import { ExecutionStore } from "./executionStore.ts";
import { FlowStore } from "./flowStore.ts";
import { KvStore } from "./kvStore.ts";
import { LogStore } from "./logStore.ts";
import { MetricStore } from "./metricStore.ts";
import { TriggerStore } from "./triggerStore.ts";
import { SqliteQueue } from "./sqliteQueue.ts";
import { sqliteReadModel } from "./sqliteReadModel.ts";
import type { ReadModel } from "../readModel.ts";
import { AsyncMutex } from "../asyncMutex.ts";
import type {
  Backend,
  EngineStores,
  ExecutionRepository,
  FlowRevisionRepository,
  KvRepository,
  LogRepository,
  MetricRepository,
  TriggerRepository,
} from "../backend.ts";
import { LocalNotifier, type Notifier } from "../notifier.ts";
import type { NewMessage, Queue, QueueMessage, ReapOptions, Topic } from "../queue.ts";
import type { LogQuery, StoredExecution, TriggerKey, TriggerState } from "../records.ts";
import type { SearchQuery } from "../search.ts";

/** Runs a synchronous store call under the backend's rules (at once, or after the open transaction). */
type Run = <T>(fn: () => T) => Promise<T>;

/** A write of several rows is atomic on its own too (inside a transaction, it is part of it). */
function atomically<T>(db: SqliteDatabase, fn: () => T): T {
  return db.inTransaction ? fn() : db.transaction(fn)();
}

/** SQLite's synchronous stores, shared by the backend and the legacy callers: the engine services' `EngineStores` among them. */
export interface SqliteStores extends EngineStores {
  readonly db: SqliteDatabase;
  readonly queue: SqliteQueue;
  readonly executions: ExecutionStore;
  readonly flows: FlowStore;
  readonly logs: LogStore;
  readonly kv: KvStore;
  readonly triggers: TriggerStore;
  readonly metrics: MetricStore;
}

export function sqliteStores(db: SqliteDatabase): SqliteStores {
  return {
    db,
    queue: new SqliteQueue(db),
    executions: new ExecutionStore(db),
    flows: new FlowStore(db),
    logs: new LogStore(db),
    kv: new KvStore(db),
    triggers: new TriggerStore(db),
    metrics: new MetricStore(db),
  };
}

class Executions implements ExecutionRepository {
  constructor(
    private readonly store: ExecutionStore,
    private readonly run: Run,
  ) {}
  insert(stored: StoredExecution) {
    return this.run(() => this.store.insert(stored));
  }
  get(id: string) {
    return this.run(() => this.store.get(id));
  }
  load(id: string) {
    return this.run(() => this.store.load(id));
  }
  status(id: string) {
    return this.run(() => this.store.status(id));
  }
  update(execution: Execution, executorState: ExecutorState, finished: boolean, previous?: readonly string[]) {
    return this.run(() => this.store.update(execution, executorState, finished, previous));
  }
  countRunning(tenantId: string, namespace: string, flowId: string, except: string) {
    return this.run(() => this.store.countRunning(tenantId, namespace, flowId, except));
  }
  oldestQueued(tenantId: string, namespace: string, flowId: string) {
    return this.run(() => this.store.oldestQueued(tenantId, namespace, flowId));
  }
  childIds(parentExecutionId: string) {
    return this.run(() => this.store.childIds(parentExecutionId));
  }
  onWrite(listener: (id: string) => void) {
    return this.store.onWrite(listener);
  }
}

class FlowRevisions implements FlowRevisionRepository {
  constructor(
    private readonly store: FlowStore,
    private readonly run: Run,
  ) {}
  latest(tenantId: string, namespace: string, id: string) {
    return this.run(() => this.store.latest(tenantId, namespace, id));
  }
  revision(tenantId: string, namespace: string, id: string, revision: number) {
    return this.run(() => this.store.revision(tenantId, namespace, id, revision));
  }
  revisions(tenantId: string, namespace: string, id: string) {
    return this.run(() => this.store.revisions(tenantId, namespace, id));
  }
  all(tenantId: string, namespacePrefix?: string) {
    return this.run(() => this.store.all(tenantId, namespacePrefix));
  }
  heads(tenantId: string) {
    return this.run(() => this.store.heads(tenantId));
  }
  search(tenantId: string, query: SearchQuery) {
    return this.run(() => this.store.searchSummaries(tenantId, query));
  }
  namespaces(tenantId: string) {
    return this.run(() => this.store.latestNamespaces(tenantId));
  }
}

class Logs implements LogRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly store: LogStore,
    private readonly run: Run,
  ) {}
  append(entries: readonly LogEntry[]) {
    return entries.length === 0
      ? Promise.resolve()
      : this.run(() => atomically(this.db, () => this.store.append(entries)));
  }
  find(query: LogQuery) {
    return this.run(() => this.store.find(query));
  }
}

class Kv implements KvRepository {
  constructor(
    private readonly store: KvStore,
    private readonly run: Run,
  ) {}
  get(tenantId: string, namespace: string, key: string) {
    return this.run(() => this.store.get(tenantId, namespace, key));
  }
  set(tenantId: string, namespace: string, entry: KvEntry) {
    return this.run(() => this.store.set(tenantId, namespace, entry));
  }
  delete(tenantId: string, namespace: string, key: string) {
    return this.run(() => this.store.delete(tenantId, namespace, key));
  }
  list(tenantId: string, namespace: string, prefix?: string) {
    return this.run(() => this.store.list(tenantId, namespace, prefix));
  }
}

class Triggers implements TriggerRepository {
  constructor(
    private readonly store: TriggerStore,
    private readonly run: Run,
  ) {}
  get(tenantId: string, key: TriggerKey) {
    return this.run(() => this.store.get(tenantId, key));
  }
  put(tenantId: string, state: TriggerState) {
    return this.run(() => this.store.put(tenantId, state));
  }
  list(tenantId: string, filter?: { namespace?: string; flowId?: string }) {
    return this.run(() => this.store.list(tenantId, filter));
  }
  delete(tenantId: string, key: TriggerKey) {
    return this.run(() => this.store.delete(tenantId, key));
  }
  update(tenantId: string, key: TriggerKey, change: (current: TriggerState) => TriggerState) {
    return this.run(() => this.store.update(tenantId, key, change));
  }
}

class Metrics implements MetricRepository {
  constructor(
    private readonly store: MetricStore,
    private readonly run: Run,
  ) {}
  append(job: WorkerJob, metrics: readonly Metric[]) {
    return metrics.length === 0 ? Promise.resolve() : this.run(() => this.store.append(job, metrics));
  }
  byExecution(executionId: string) {
    return this.run(() => this.store.byExecution(executionId));
  }
}

class Messages implements Queue {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly store: SqliteQueue,
    private readonly run: Run,
  ) {}
  send(messages: readonly NewMessage[]) {
    return messages.length === 0
      ? Promise.resolve()
      : this.run(() => atomically(this.db, () => this.store.send(messages)));
  }
  sendClaimed<T>(messages: readonly NewMessage<T>[], owner: string, leaseMs: number): Promise<QueueMessage<T>[]> {
    return messages.length === 0
      ? Promise.resolve([])
      : this.run(() => atomically(this.db, () => this.store.sendClaimed(messages, owner, leaseMs)));
  }
  claim<T>(topic: Topic, limit: number, owner: string, leaseMs: number): Promise<QueueMessage<T>[]> {
    return this.run(() => this.store.claim<T>(topic, limit, owner, leaseMs));
  }
  ack(seqs: readonly number[]) {
    return seqs.length === 0 ? Promise.resolve() : this.run(() => atomically(this.db, () => this.store.ack(seqs)));
  }
  release(seq: number, availableAt?: number) {
    return this.run(() => this.store.release(seq, availableAt));
  }
  extend(seqs: readonly number[], owner: string, leaseMs: number) {
    return seqs.length === 0
      ? Promise.resolve(0)
      : this.run(() => atomically(this.db, () => this.store.extend(seqs, owner, leaseMs)));
  }
  nextAvailable(topic: Topic) {
    return this.run(() => this.store.nextAvailable(topic));
  }
  dropPending(topic: Topic, key: string) {
    return this.run(() => this.store.dropPending(topic, key));
  }
  dropAll(topic: Topic, key: string) {
    return this.run(() => this.store.dropAll(topic, key));
  }
  claimed<T>(topic: Topic): Promise<QueueMessage<T>[]> {
    return this.run(() => this.store.claimed<T>(topic));
  }
  hasKey(key: string) {
    return this.run(() => this.store.hasKey(key));
  }
  reapExpired(options?: ReapOptions) {
    return this.run(() => this.store.reapExpired(options));
  }
}

/** The repositories over one set of stores, each call made through `run`. */
abstract class SqliteView implements Backend {
  readonly queue: Queue;
  readonly executions: ExecutionRepository;
  readonly flows: FlowRevisionRepository;
  readonly logs: LogRepository;
  readonly kv: KvRepository;
  readonly triggers: TriggerRepository;
  readonly metrics: MetricRepository;
  readonly reads: ReadModel;

  constructor(
    readonly stores: SqliteStores,
    readonly owner: string,
    readonly notifier: Notifier,
    run: Run,
  ) {
    this.queue = new Messages(stores.db, stores.queue, run);
    this.executions = new Executions(stores.executions, run);
    this.flows = new FlowRevisions(stores.flows, run);
    this.logs = new Logs(stores.db, stores.logs, run);
    this.kv = new Kv(stores.kv, run);
    this.triggers = new Triggers(stores.triggers, run);
    this.metrics = new Metrics(stores.metrics, run);
    this.reads = sqliteReadModel(stores, run);
  }

  abstract transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
}

/** The backend as seen inside a transaction: calls run at once; a nested transaction is this one. */
class SqliteTransaction extends SqliteView {
  open = false;

  constructor(stores: SqliteStores, owner: string, notifier: Notifier) {
    super(stores, owner, notifier, <T>(fn: () => T) => {
      if (!this.open) return Promise.reject(new Error("a transaction's backend was used after its end"));
      return settle(fn);
    });
  }

  transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T> {
    return fn(this);
  }

  close(): Promise<void> {
    return Promise.reject(new Error("close() inside a transaction"));
  }
}

/** `fn()` as a promise (a throw becomes a rejection). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

export interface SqliteBackendOptions {
  /** Closes the database (and whatever else the opener holds) at `close()`. */
  onClose?: () => void;
  notifier?: Notifier;
  /** The owner id of this open's queue claims (a new random one by default). */
  owner?: string;
}

export class SqliteBackend extends SqliteView {
  private readonly mutex: AsyncMutex;
  private readonly tx: SqliteTransaction;
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private closed = false;

  constructor(
    stores: SqliteStores,
    private readonly options: SqliteBackendOptions = {},
  ) {
    const mutex = new AsyncMutex();
    const owner = options.owner ?? randomBytes(9).toString("base64url");
    const notifier = options.notifier ?? new LocalNotifier();
    super(stores, owner, notifier, <T>(fn: () => T) => (mutex.locked ? mutex.exclusive(fn) : settle(fn)));
    this.mutex = mutex;
    this.tx = new SqliteTransaction(stores, owner, notifier);
    this.begin = stores.db.prepare("BEGIN IMMEDIATE");
    this.commit = stores.db.prepare("COMMIT");
    this.rollback = stores.db.prepare("ROLLBACK");
  }

  get db(): SqliteDatabase {
    return this.stores.db;
  }

  async transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T> {
    await this.mutex.acquire();
    try {
      this.begin.run();
      this.tx.open = true;
      try {
        const result = await fn(this.tx);
        this.commit.run();
        return result;
      } catch (error) {
        // a failed COMMIT (a full disk) may leave the transaction open: it is rolled back too
        if (this.stores.db.inTransaction) this.rollback.run();
        throw error;
      } finally {
        this.tx.open = false;
      }
    } finally {
      this.mutex.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // a transaction still open (a loop stopping) ends first
    await this.mutex.exclusive(() => (this.options.onClose ?? (() => this.stores.db.close()))());
  }
}
