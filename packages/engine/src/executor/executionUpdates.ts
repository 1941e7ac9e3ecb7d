/**
 * What an executor task may change on the execution besides its own task run (Kestra's
 * ExecutionUpdatableTask): its variables (SetVariables, UnsetVariables) and its end (Exit).
 */
import { isTerminated, type StateType } from "@saker/sdk";
import type { TaskRun } from "../model/execution.ts";
import type { ExecutorRun } from "./executorRun.ts";
import { findParents } from "../model/taskRunIndex.ts";

/** The execution-scoped `vars`: set by SetVariables, otherwise the flow's variables. */
export function currentVariables(run: ExecutorRun): Record<string, unknown> {
  return run.x.variables ?? run.graph.flow.variables ?? {};
}

export function replaceVariables(run: ExecutorRun, variables: Record<string, unknown>): void {
  run.x.variables = run.seal(variables);
  run.version++;
}

/**
 * Exit: the execution ends now in `state`, as do the Exit task run and its parents. With KILLED
 * every unfinished task run is killed, as Kestra's kill does. With another state Kestra lets the
 * task runs of other branches go on in an execution that has already ended; Saker kills them so
 * that no task run of an ended execution is left running with nobody to conclude it.
 */
export function exitExecution(run: ExecutorRun, taskRun: TaskRun, state: StateType): void {
  const own = new Set([taskRun.id, ...findParents(run.x, taskRun).map((t) => t.id)]);
  let unfinished = false;
  for (const t of run.x.taskRunList) {
    if (isTerminated(t.state.current)) continue;
    const next = own.has(t.id) ? state : "KILLED";
    if (!own.has(t.id)) unfinished = true;
    if (t.attempts?.length) run.setLastAttemptState(t, next);
    run.setTaskRunState(t, next);
  }
  run.setExecutionState(state);
  if (unfinished) {
    run.command({ type: "kill-tasks" });
    run.command({ type: "kill-subflows" });
  }
}
