/**
 * The records the repositories read and write, shared by every backend (plain data: no
 * database types).
 */
import type { LogLevel, Metric, StateType } from "@saker/sdk";
import type { ExecutorState, LogEntry } from "../executor/types.ts";
import type { Execution, Label } from "../model/execution.ts";
import type { WindowState } from "../scheduler/timeWindow.ts";

export interface StoredExecution {
  execution: Execution;
  executorState: ExecutorState;
  finished: boolean;
  parentExecutionId?: string;
  parentTaskRunId?: string;
}
/** An execution as read, with the JSON of its task runs as stored (to pass back to `update`). */
export interface LoadedExecution {
  stored: StoredExecution;
  runs: string[];
  /** On a shared database: the row's revision, bumped by every write (see backend/fence.ts). */
  revision?: number;
}

/** A flow revision without its source: what lists need. */
export interface FlowSummary {
  tenantId: string;
  namespace: string;
  id: string;
  revision: number;
  deleted: boolean;
  disabled: boolean;
  updated: string;
  labels: Label[];
}
export interface StoredFlow extends FlowSummary {
  source: string;
}
/** Which revision of a flow is the latest, and whether it is disabled. */
export interface FlowHead {
  namespace: string;
  id: string;
  revision: number;
  disabled: boolean;
}

export interface StoredLog extends LogEntry {
  seq: number;
}
export interface LogQuery {
  tenantId?: string;
  executionId?: string;
  namespace?: string;
  /** A namespace and the namespaces below it. */
  namespacePrefix?: string;
  flowId?: string;
  taskId?: string;
  /** Any of these tasks. */
  taskIds?: readonly string[];
  taskRunId?: string;
  /** Only this attempt's entries (entries without an attempt number are left out). */
  attemptNumber?: number;
  minLevel?: LogLevel;
  afterSeq?: number;
  startDate?: string;
  endDate?: string;
  limit?: number;
  /** Rows skipped before `limit`. */
  offset?: number;
  /** Newest `timestamp` first (ties in written order) instead of written order. */
  newestFirst?: boolean;
}

/**
 * A log row as the pages of an execution's logs read it (cheaper than an object per row): the
 * fields before the message as one JSON array text (tenant, namespace, flow, execution, task,
 * task run, attempt, trigger, level), then the message, the timestamp and the thread.
 */
export type LogTuple = [seq: number, head: string, message: string, timestamp: string, thread: string | null];

export interface StoredMetric extends Metric {
  executionId: string;
  taskId?: string;
  taskRunId?: string;
  timestamp: string;
}

export interface TriggerKey {
  namespace: string;
  flowId: string;
  triggerId: string;
}
export interface Backfill {
  start: string;
  end?: string;
  currentDate: string;
  paused: boolean;
  inputs?: Record<string, unknown>;
  labels?: { key: string; value: string }[];
  previousNextExecutionDate?: string;
}
/** The persisted state of one trigger; dates are ISO-8601. */
export interface TriggerState extends TriggerKey {
  disabled?: boolean;
  /** The last date the trigger handled (Kestra's `date`). */
  lastDate?: string;
  /** When the trigger is next due (Kestra's `nextExecutionDate`). */
  nextDate?: string;
  backfill?: Backfill;
  /** The execution the trigger last started. */
  executionId?: string;
  /** Flow triggers: precondition windows by id. */
  windows?: Record<string, WindowState>;
  updatedDate?: string;
  [field: string]: unknown;
}

/** What the execution searches of the engine services select (`ExecutionStore.search`). */
export interface ExecutionQuery {
  tenantId: string;
  namespace?: string;
  flowId?: string;
  states?: StateType[];
  startDate?: string;
  endDate?: string;
  labels?: Record<string, string>;
  parentExecutionId?: string;
  /** `namespace` alone, not the namespaces below it. */
  exactNamespace?: boolean;
  /** Only executions that have ended (or only those that have not). */
  finished?: boolean;
  page?: number;
  size?: number;
  sort?: "asc" | "desc";
  /** Return summaries (no outputs, see `executionSummary`) instead of whole executions. */
  summary?: boolean;
}

/** One flow's count of executions, an answer of `countByFlow`. */
export interface FlowExecutionCount {
  namespace: string;
  flowId: string;
  count: number;
}

export interface ExecutionCountQuery {
  tenantId: string;
  flows?: readonly { namespace: string; flowId: string }[];
  namespaces?: readonly string[];
  states?: readonly StateType[];
  /** ISO instants, inclusive. */
  startDate: string;
  endDate: string;
}

/** The logs a purge deletes. */
export interface LogPurgeQuery {
  tenantId: string;
  namespace?: string;
  flowId?: string;
  levels?: readonly LogLevel[];
  /** ISO instants, inclusive. */
  startDate?: string;
  endDate: string;
}
