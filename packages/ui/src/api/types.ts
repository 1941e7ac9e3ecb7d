/** The shapes of the API's answers that the UI reads (Kestra's JSON; fields the UI does not use are left out). */

export type StateType =
  | "CREATED"
  | "RUNNING"
  | "PAUSED"
  | "RESTARTED"
  | "KILLING"
  | "SUCCESS"
  | "WARNING"
  | "FAILED"
  | "KILLED"
  | "CANCELLED"
  | "QUEUED"
  | "RETRYING"
  | "RETRIED"
  | "SKIPPED"
  | "BREAKPOINT";

export interface State {
  current: StateType;
  histories?: { state: StateType; date: string }[];
  startDate?: string;
  endDate?: string;
  duration?: string;
}

export interface Label {
  key: string;
  value: string;
}

export interface TaskRunAttempt {
  state: State;
  workerId?: string;
}

export interface TaskRun {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string | null;
  value?: string | null;
  iteration?: number | null;
  attempts?: TaskRunAttempt[] | null;
  outputs?: Record<string, unknown> | null;
  state: State;
}

export interface Execution {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: State;
  taskRunList?: TaskRun[] | null;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
  variables?: Record<string, unknown> | null;
  labels?: Label[] | null;
  trigger?: { id: string; type: string; variables?: Record<string, unknown> } | null;
  parentId?: string | null;
  originalId?: string | null;
}

export interface FlowInput {
  id: string;
  type: string;
  required?: boolean;
  defaults?: unknown;
  description?: string;
  displayName?: string;
  values?: string[];
  options?: string[];
  allowCustomValue?: boolean;
  itemType?: string;
  min?: number | string;
  max?: number | string;
  [key: string]: unknown;
}

export interface Flow {
  id: string;
  namespace: string;
  revision: number;
  description?: string;
  disabled?: boolean;
  deleted?: boolean;
  labels?: Label[] | Record<string, string> | null;
  inputs?: FlowInput[] | null;
  tasks?: { id: string; type: string; [key: string]: unknown }[];
  triggers?: { id: string; type: string; [key: string]: unknown }[] | null;
  source?: string;
  updated?: string;
}

export interface LogEntry {
  namespace: string;
  flowId: string;
  executionId?: string;
  taskId?: string | null;
  taskRunId?: string | null;
  attemptNumber?: number | null;
  triggerId?: string | null;
  timestamp: string;
  level: "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";
  message: string;
  thread?: string;
}

/** A page of a search: `{results, total}`. */
export interface Paged<T> {
  results: T[];
  total: number;
}

/** The flow graph of `POST /flows/graph` and `GET /executions/{id}/graph`. */
export interface FlowGraph {
  nodes: { uid: string; type: string; task?: { id: string; type: string }; trigger?: { id: string; type: string } }[];
  edges: { source: string; target: string; relation?: { relationType?: string; value?: string } }[];
  clusters: {
    cluster: { uid: string; type?: string; taskNode?: { task?: { id: string } } };
    nodes: string[];
    parents?: string[];
    start?: string;
    end?: string;
  }[];
}

export const TERMINAL_STATES: ReadonlySet<StateType> = new Set([
  "SUCCESS",
  "WARNING",
  "FAILED",
  "KILLED",
  "CANCELLED",
  "SKIPPED",
  "RETRIED",
]);
