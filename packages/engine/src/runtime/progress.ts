/**
 * One line telling where an execution stands: its state and each task run's state (with its value
 * and attempts). Timeouts waiting for an execution name it, so a stuck execution never fails silently.
 */
import type { Execution } from "../model/execution.ts";

const MAX_TASK_RUNS = 50;

export function describeProgress(execution: Execution): string {
  const runs = execution.taskRunList.map((t) => {
    const value = t.value !== undefined ? `[${t.value}]` : "";
    const attempts = t.attempts?.length ? ` (${t.attempts.length} attempt${t.attempts.length > 1 ? "s" : ""})` : "";
    return `${t.taskId}${value} ${t.state.current}${attempts}`;
  });
  const shown =
    runs.length > MAX_TASK_RUNS ? [...runs.slice(0, MAX_TASK_RUNS), `… ${runs.length - MAX_TASK_RUNS} more`] : runs;
  return `flow ${execution.namespace}.${execution.flowId}, state ${execution.state.current}; task runs: ${shown.length ? shown.join(", ") : "none"}`;
}
