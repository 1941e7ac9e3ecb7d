/**
 * What goes into the executor (events) and what comes out (commands, logs). The executor itself
 * is a function of (flow, execution, events) → (execution, commands): it performs no I/O.
 */
import type { LogLevel, StateType } from "@saker/sdk";
import type { Execution, TaskNode } from "../model/execution.ts";
import type { SubflowRequest } from "../plugins/engineTypes.ts";

export type DelayKind =
  /** Resume a paused task run (Pause delay/timeout) or start a scheduled execution. */
  | "RESUME_FLOW"
  /** Run a failed task run again (retry in place). */
  | "RESTART_FAILED_TASK"
  /** Replay the whole execution (retry with CREATE_NEW_EXECUTION). */
  | "RESTART_FAILED_FLOW"
  /** Run a loop's children again (LoopUntil/WaitFor). */
  | "CONTINUE_FLOWABLE"
  /** A MAX_DURATION SLA's deadline: the execution is checked against it. */
  | "SLA_MAX_DURATION";

export interface ExecutionDelay {
  kind: DelayKind;
  taskRunId?: string;
  /** SLA_MAX_DURATION: the position of the SLA in the flow's `sla` list. */
  sla?: number;
  /** The state to move to when the delay fires. */
  state: StateType;
  /** Epoch milliseconds. */
  at: number;
}

export interface ExecutorEvents {
  /** Process the execution (new, or changed from outside). */
  process: Record<never, never>;
  "worker-started": { taskRunId: string; attempt: number; date: string; pluginVersion?: string; workerId?: string };
  "worker-result": {
    taskRunId: string;
    attempt: number;
    /** The attempt's own state. */
    attemptState: StateType;
    /** The task run's state after allowFailure/allowWarning/warningOnRetry. */
    state: StateType;
    outputs?: Record<string, unknown> | null;
    date: string;
    /** Files uploaded from a WorkingDirectory (`outputFiles`): name to kestra:// URI. */
    workingDirectoryFiles?: Record<string, string>;
  };
  "delay-fired": { delay: ExecutionDelay };
  "kill-requested": Record<never, never>;
  "resume-requested": { onResumeInputs?: Record<string, unknown> };
  "subflow-ended": { taskRunId: string; child: Execution };
  "subflow-failed": { taskRunId: string; message: string };
  "concurrency-released": Record<never, never>;
}

export type ExecutorEvent = { [K in keyof ExecutorEvents]: { type: K } & ExecutorEvents[K] }[keyof ExecutorEvents];

/** A runnable task run for a worker. `attempt` is the 1-based number of the attempt to make. */
export interface WorkerJob {
  executionId: string;
  taskRunId: string;
  attempt: number;
  flow: { id: string; namespace: string; revision: number; tenantId?: string };
  task: TaskNode;
  /** The variables of the run context (`outputs`, `inputs`, `taskrun`…). */
  variables: Record<string, unknown>;
  /** `name@version` of the plugin chosen for this task. */
  pluginVersion: string;
  /** The working directory shared with siblings (WorkingDirectory), if any. */
  workingDirectoryId?: string;
  /** What the WorkingDirectory asks of its directory: files to put there first, files to upload. */
  workingDirectory?: WorkingDirectorySetup;
  /** Dotted ids of SECRET inputs: encrypted in `variables`, decrypted by the worker only. */
  secretInputs?: readonly string[];
}

export interface WorkingDirectorySetup {
  /** File name to content (rendered by the worker), or a JSON/expression string of such a map. */
  inputFiles?: Record<string, unknown> | string;
  namespaceFiles?: { enabled?: boolean; include?: string[]; exclude?: string[]; namespaces?: string[] };
  outputFiles?: string[];
}

export interface ExecutorCommands {
  "run-task": { job: WorkerJob };
  delay: { delay: ExecutionDelay };
  "create-subflow": { parentTaskRunId: string; taskId: string; request: SubflowRequest };
  /** Abort this execution's running worker tasks. */
  "kill-tasks": Record<never, never>;
  /** Kill child executions started by Subflow tasks. */
  "kill-subflows": Record<never, never>;
  /** Start a replay of this execution (retry with CREATE_NEW_EXECUTION). */
  replay: { execution: Execution };
  /** A WorkingDirectory ended: its shared directory on the worker can go. */
  "remove-working-directory": { workingDirectoryId: string };
}

export type ExecutorCommand = {
  [K in keyof ExecutorCommands]: { type: K } & ExecutorCommands[K];
}[keyof ExecutorCommands];

export interface LogEntry {
  tenantId?: string;
  namespace: string;
  flowId: string;
  executionId?: string;
  taskId?: string;
  taskRunId?: string;
  attemptNumber?: number;
  triggerId?: string;
  level: LogLevel;
  message: string;
  timestamp: string;
  thread?: string;
}

/** What the executor keeps beside the execution: which task runs were already sent to a worker. */
export interface ExecutorState {
  /** `taskRunId:attemptsBeforeDispatch`. */
  dispatched: string[];
  /** Set once the concurrency limit was checked for this execution. */
  concurrencyChecked?: boolean;
  /** Set once a future `scheduleDate` was turned into a delay. */
  scheduled?: boolean;
  /** Set once the flow's MAX_DURATION SLAs were turned into delays. */
  slaScheduled?: boolean;
  /** Abrupt stops of the server that interrupted work of this execution, by task run id (or `executor`). */
  interruptions?: Record<string, number>;
}

export function emptyExecutorState(): ExecutorState {
  return { dispatched: [] };
}
