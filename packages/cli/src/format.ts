import type { Execution, LogEntry } from "@saker/engine";

/** A log line; an ERROR of a task ends with where the task is written (`tasks[0].tasks[1]`) when `locate` knows. */
export function formatLog(entry: LogEntry, locate?: (entry: LogEntry) => string | undefined): string {
  const where = entry.taskId ? `[${entry.taskId}] ` : "";
  const path = entry.level === "ERROR" && entry.taskId ? locate?.(entry) : undefined;
  return `${entry.timestamp} ${entry.level.padEnd(5)} ${where}${entry.message}${path ? ` (at ${path})` : ""}`;
}

/** A few lines for a person: id, state, duration, task runs, outputs. */
export function summariseExecution(execution: Execution): string {
  const lines = [
    `Execution ${execution.id} of ${execution.namespace}/${execution.flowId} (revision ${execution.flowRevision})`,
    `State: ${execution.state.current} in ${execution.state.duration}`,
  ];
  for (const run of execution.taskRunList) {
    lines.push(`  ${run.state.current.padEnd(9)} ${run.taskId}${run.value !== undefined ? ` [${run.value}]` : ""}`);
  }
  if (execution.outputs && Object.keys(execution.outputs).length)
    lines.push(`Outputs: ${JSON.stringify(execution.outputs)}`);
  return `${lines.join("\n")}\n`;
}
