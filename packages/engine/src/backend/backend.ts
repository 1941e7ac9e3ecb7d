/**
 * The backend seam: everything the engine's loops read and write, behind async interfaces that
 * the embedded SQLite backend and a PostgreSQL one both implement. Records are plain data
 * (`records.ts`); nothing here names a database type.
 *
 * Rules (see README.md beside this file):
 * - A state change, the messages it sends and the acknowledgement of the messages it consumed
 *   commit together: `backend.transaction(async (tx) => …)`, writing through `tx` only.
 * - Notify after the commit (`notifier`), never inside the transaction.
 * - A claim is leased: extend what is still being handled, let the reaper free the rest.
 */
import type { KvEntry, LogLevel, Metric, StateType } from "@saker/sdk";
import type { ExecutorState, LogEntry, WorkerJob } from "../executor/types.ts";
import type { Execution, Label } from "../model/execution.ts";
import type { ReadModel } from "./readModel.ts";
import type { Notifier } from "./notifier.ts";
import type { Queue } from "./queue.ts";
import type { Page, SearchQuery } from "./search.ts";
import type {
  ExecutionCountQuery,
  ExecutionQuery,
  FlowExecutionCount,
  FlowHead,
  FlowSummary,
  LoadedExecution,
  LogPurgeQuery,
  LogQuery,
  StoredExecution,
  StoredFlow,
  StoredLog,
  StoredMetric,
  TriggerKey,
  TriggerState,
} from "./records.ts";

export interface ExecutionRepository {
  insert(stored: StoredExecution): Promise<void>;
  get(id: string): Promise<StoredExecution | undefined>;
  /**
   * The execution with its task runs' stored form, to pass back to `update` (writes only what changed).
   * `lock`, inside a transaction: the execution's row stays locked until the commit, so that
   * another process's locked load of it waits and then reads what this transaction wrote
   * (PostgreSQL; a SQLite transaction is already alone on its file).
   */
  load(id: string, options?: { lock?: boolean }): Promise<LoadedExecution | undefined>;
  /** State and whether it is finished, without reading the document. */
  status(id: string): Promise<{ state: StateType; finished: boolean } | undefined>;
  /**
   * Writes an execution; `previous` is what `load` (or the last `update`) returned. Returns the new
   * stored form. With `revision` (a shared database, in a transaction): written only if it is still
   * at that revision, else the transaction fails with `WRITTEN_MEANWHILE` (backend/fence.ts).
   */
  update(
    execution: Execution,
    executorState: ExecutorState,
    finished: boolean,
    previous?: readonly string[],
    revision?: number,
  ): Promise<string[]>;
  /**
   * A shared database, in a transaction: fails it with `WRITTEN_MEANWHILE` unless the execution is
   * still at `revision`, and keeps it there until the commit.
   */
  fence?(id: string, revision: number): Promise<void>;
  /**
   * A shared database, in a transaction: execution `id` of a flow, which this step lets run (see
   * `takesConcurrencySlot`), is checked against the flow's concurrency `limit` with the flow's
   * lock held until the commit, so that the admissions of a flow by several executors commit one
   * after the other. Fails the transaction with `WRITTEN_MEANWHILE` (the steps are redone, and
   * count again) when the executions running or paused besides it already fill the limit.
   */
  admit?(tenantId: string, namespace: string, flowId: string, limit: number, id: string): Promise<void>;
  /** RUNNING and PAUSED executions of a flow, `except` excluded (concurrency limits). */
  countRunning(tenantId: string, namespace: string, flowId: string, except: string): Promise<number>;
  /** The oldest QUEUED execution of a flow, if any. */
  oldestQueued(tenantId: string, namespace: string, flowId: string): Promise<string | undefined>;
  childIds(parentExecutionId: string): Promise<string[]>;
  /** Called with the id of every execution written through this backend (inside the write). */
  onWrite(listener: (id: string) => void): () => void;
}

/** Flow revisions as stored (the parsed, cached view is the runtime's `FlowService`). */
export interface FlowRevisionRepository {
  latest(tenantId: string, namespace: string, id: string): Promise<StoredFlow | undefined>;
  revision(tenantId: string, namespace: string, id: string, revision: number): Promise<StoredFlow | undefined>;
  revisions(tenantId: string, namespace: string, id: string): Promise<StoredFlow[]>;
  all(tenantId: string, namespacePrefix?: string): Promise<StoredFlow[]>;
  heads(tenantId: string): Promise<FlowHead[]>;
  /** The latest, not deleted, revisions a search matches (no sources), filtered, sorted and paged. */
  search(tenantId: string, query: SearchQuery): Promise<Page<FlowSummary>>;
  /** The namespaces holding a flow whose latest revision is not deleted, sorted. */
  namespaces(tenantId: string): Promise<string[]>;
}

export interface LogRepository {
  append(entries: readonly LogEntry[]): Promise<void>;
  find(query: LogQuery): Promise<StoredLog[]>;
}

export interface KvRepository {
  get(tenantId: string, namespace: string, key: string): Promise<KvEntry | undefined>;
  set(tenantId: string, namespace: string, entry: KvEntry): Promise<void>;
  delete(tenantId: string, namespace: string, key: string): Promise<boolean>;
  list(tenantId: string, namespace: string, prefix?: string): Promise<KvEntry[]>;
}

export interface TriggerRepository {
  get(tenantId: string, key: TriggerKey): Promise<TriggerState | undefined>;
  put(tenantId: string, state: TriggerState): Promise<TriggerState>;
  list(tenantId: string, filter?: { namespace?: string; flowId?: string }): Promise<TriggerState[]>;
  delete(tenantId: string, key: TriggerKey): Promise<boolean>;
  /**
   * Reads, changes and writes a trigger's state atomically (the state starts as the bare key when
   * there is none): two updates of one trigger, from any process, never lose each other's change.
   */
  update(tenantId: string, key: TriggerKey, change: (current: TriggerState) => TriggerState): Promise<TriggerState>;
}

export interface MetricRepository {
  append(job: WorkerJob, metrics: readonly Metric[]): Promise<void>;
  byExecution(executionId: string): Promise<StoredMetric[]>;
}

/**
 * What flows are read and written through: the SQLite store, or the PostgreSQL backend's mirror
 * (whose `refresh` reads a flow again from the database, shared with other processes).
 */
export interface FlowSource {
  latest(tenantId: string, namespace: string, id: string): StoredFlow | undefined;
  revision(tenantId: string, namespace: string, id: string, revision: number): StoredFlow | undefined;
  revisions(tenantId: string, namespace: string, id: string): StoredFlow[];
  /** Saves a new revision unless the source is unchanged. */
  save(
    tenantId: string,
    namespace: string,
    id: string,
    source: string,
    disabled: boolean,
    labels?: readonly Label[],
  ): { flow: StoredFlow; created: boolean };
  delete(tenantId: string, namespace: string, id: string): boolean;
  all(tenantId: string, namespacePrefix?: string): StoredFlow[];
  summaries(tenantId: string, namespacePrefix?: string): FlowSummary[];
  heads(tenantId: string): FlowHead[];
  deleteRevisions(tenantId: string, namespace: string, id: string, revisions: readonly number[]): number;
  refresh?(tenantId: string, namespace: string, id: string, revision?: number): Promise<void>;
}

type Awaitable<T> = T | Promise<T>;

/**
 * The calls of the engine services (`runtime/workerDeps.ts`) `Backend` does not have yet: the
 * SQLite stores (synchronous) or their PostgreSQL counterparts (`postgres/engineStores.ts`).
 */
export interface EngineStores {
  kv: {
    namespaces(tenantId: string): Awaitable<string[]>;
    listAll(tenantId: string, namespace: string): Awaitable<KvEntry[]>;
  };
  logs: {
    purge(query: LogPurgeQuery): Awaitable<number>;
    deleteByExecution(executionId: string, levels?: readonly LogLevel[]): Awaitable<number>;
  };
  executions: {
    search(query: ExecutionQuery): Awaitable<Page<Execution>>;
    countByFlow(query: ExecutionCountQuery): Awaitable<FlowExecutionCount[]>;
    delete(id: string): Awaitable<boolean>;
  };
  metrics: { deleteByExecution(executionId: string): Awaitable<number> };
  triggers: {
    setDisabled(tenantId: string, key: TriggerKey, disabled: boolean): Awaitable<TriggerState>;
  };
}

export interface Backend {
  /** Identifies this process's queue claims (`claimed_by`); new at every open. */
  readonly owner: string;
  readonly queue: Queue;
  readonly executions: ExecutionRepository;
  readonly flows: FlowRevisionRepository;
  readonly logs: LogRepository;
  readonly kv: KvRepository;
  readonly triggers: TriggerRepository;
  readonly metrics: MetricRepository;
  readonly notifier: Notifier;
  /** The public API's searches, documents, statistics and deletes (`readModel.ts`). */
  readonly reads: ReadModel;
  /**
   * Runs `fn` in one transaction: everything it writes through `tx` commits together, or nothing
   * does when it throws (the error is rethrown). Transactions do not interleave; a call on the
   * backend itself (not `tx`) made meanwhile waits for the commit — so inside `fn` use `tx`, or
   * the call waits for the very transaction it is part of. `tx.transaction(fn)` reuses `tx`.
   */
  transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
