/**
 * The search fields of executions, flows and logs, shared by both backends: the columns of the
 * rows are the same; what differs (reading a path of the execution's summary, the flows' boolean,
 * the labels, the natural order's collation) each backend gives.
 */
import type { SearchColumns } from "./search.ts";

/** How a backend reads the execution row's summary (JSON text) and orders executions by default. */
export interface ExecutionSearchSql {
  /** The text at `path` of the summary, e.g. `state.duration`. */
  summaryPath(...path: string[]): string;
  /** The labels array of the summary, or NULL. */
  labels: string;
  naturalOrder: string;
}

/** Execution fields for filters and sorting, over the `executions` row and its summary. */
export function executionColumns(sql: ExecutionSearchSql): SearchColumns {
  const duration = sql.summaryPath("state", "duration");
  // Kestra's trigger execution: a Subflow's parent, or the execution a Flow trigger started from
  const triggerExecution = `COALESCE(parent_execution_id, ${sql.summaryPath("trigger", "variables", "executionId")})`;
  return {
    fields: {
      id: { sql: "id", kind: "text" },
      namespace: { sql: "namespace", kind: "text" },
      flowId: { sql: "flow_id", kind: "text" },
      flowRevision: { sql: "flow_revision", kind: "number" },
      state: { sql: "state", kind: "text" },
      startDate: { sql: "start_date", kind: "date" },
      endDate: { sql: "end_date", kind: "date" },
      duration: { sql: duration, kind: "duration" },
      originalId: { sql: sql.summaryPath("originalId"), kind: "text" },
      parentId: { sql: sql.summaryPath("parentId"), kind: "text" },
      triggerId: { sql: sql.summaryPath("trigger", "id"), kind: "text" },
      triggerExecutionId: { sql: triggerExecution, kind: "text" },
      childFilter: { sql: `CASE WHEN ${triggerExecution} IS NULL THEN 'MAIN' ELSE 'CHILD' END`, kind: "text" },
      "state.current": { sql: "state", kind: "text" },
      "state.startDate": { sql: "start_date", kind: "date" },
      "state.endDate": { sql: "end_date", kind: "date" },
      "state.duration": { sql: duration, kind: "duration" },
    },
    labels: { field: "labels", sql: sql.labels },
    text: ["id", "namespace", "flow_id"],
    timeField: "startDate",
    naturalOrder: sql.naturalOrder,
  };
}

/** How a backend reads the flows' `disabled` and labels columns and orders flows by default. */
export interface FlowSearchSql {
  /** `'true'` or `'false'` from `f.disabled`. */
  disabled: string;
  labels: string;
  naturalOrder: string;
}

/** Flow fields for filters and sorting, over the latest revision's row (`f`). */
export function flowColumns(sql: FlowSearchSql): SearchColumns {
  return {
    fields: {
      id: { sql: "f.id", kind: "text" },
      flowId: { sql: "f.id", kind: "text" },
      namespace: { sql: "f.namespace", kind: "text" },
      revision: { sql: "f.revision", kind: "number" },
      disabled: { sql: sql.disabled, kind: "text" },
      updated: { sql: "f.updated", kind: "date" },
    },
    labels: { field: "labels", sql: sql.labels },
    text: ["f.id", "f.namespace"],
    naturalOrder: sql.naturalOrder,
  };
}

/** Log fields for filters and sorting: the same SQL on both backends. */
export const LOG_COLUMNS: SearchColumns = {
  fields: {
    namespace: { sql: "namespace", kind: "text" },
    flowId: { sql: "flow_id", kind: "text" },
    executionId: { sql: "execution_id", kind: "text" },
    taskId: { sql: "task_id", kind: "text" },
    taskRunId: { sql: "task_run_id", kind: "text" },
    triggerId: { sql: "trigger_id", kind: "text" },
    level: { sql: "level", kind: "text" },
    timestamp: { sql: "timestamp", kind: "date" },
    startDate: { sql: "timestamp", kind: "date" },
    endDate: { sql: "timestamp", kind: "date" },
  },
  text: ["message", "coalesce(task_id, '')", "coalesce(execution_id, '')"],
  naturalOrder: "seq",
};
