import type { AssetsInOut } from "./assets.ts";
import type { StateType } from "@saker/sdk";
import type { State } from "./state.ts";

/** `{key, value}`: Kestra stores labels as a list so that a key may repeat. */
export interface Label {
  key: string;
  value: string;
}

export interface TaskRunAttempt {
  state: State;
  logFile?: string;
  workerId?: string;
}

/** One run of one task (for one value of an enclosing ForEach), with its attempts. */
export interface TaskRun {
  tenantId?: string;
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string;
  /** Set on children of iterative tasks; always a string (objects are JSON). */
  value?: string;
  attempts?: TaskRunAttempt[];
  /** Always present in Kestra's JSON, `null` when the task produced none. */
  outputs: Record<string, unknown> | null;
  state: State;
  iteration?: number;
  dynamic?: boolean;
  /** Saker: the plugin version that ran this task run (`name@version`), kept across restarts. */
  pluginVersion?: string;
  /** The task's `assets`, rendered when the task run starts. */
  assets?: AssetsInOut;
}

/** What started an execution: a trigger, a parent flow (Subflow), or nothing (manual). */
export interface ExecutionTrigger {
  id: string;
  type: string;
  variables?: Record<string, unknown>;
  logFile?: string;
}

export interface ExecutionMetadata {
  attemptNumber: number;
  originalCreatedDate: string;
}

export interface Execution {
  tenantId?: string;
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  taskRunList: TaskRun[];
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  labels: Label[];
  variables?: Record<string, unknown>;
  state: State;
  parentId?: string;
  originalId: string;
  trigger?: ExecutionTrigger;
  deleted: boolean;
  metadata: ExecutionMetadata;
  scheduleDate?: string;
}

/** A task of the flow as it applies to one parent task run and one value. */
export interface ResolvedTask {
  task: TaskNode;
  value?: string;
  parentId?: string;
}

/** A task as written in the flow, after aliases and plugin defaults. */
export interface TaskNode {
  id: string;
  type: string;
  version?: string;
  disabled?: boolean;
  allowFailure?: boolean;
  allowWarning?: boolean;
  retry?: Record<string, unknown>;
  timeout?: string;
  runIf?: string;
  [property: string]: unknown;
}

export function stateOf(taskRun: TaskRun): StateType {
  return taskRun.state.current;
}
