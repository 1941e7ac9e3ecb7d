import type { LogEntry } from "@saker/engine/executor/types";
import type { Execution } from "@saker/engine/model/execution";

export function formatLog(entry: LogEntry): string {
  const where = entry.taskId ? `[${entry.taskId}] ` : "";
  return `${entry.timestamp} ${entry.level.padEnd(5)} ${where}${entry.message}`;
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
  if (execution.outputs && Object.keys(execution.outputs).length) lines.push(`Outputs: ${JSON.stringify(execution.outputs)}`);
  return `${lines.join("\n")}\n`;
}
