/**
 * The execution-level steps of a pass: scheduling and concurrency at creation, restart, retries,
 * the end of the flow (final state, flow outputs, `finally`), and killing.
 */
import {
  errorMessage,
  isCreated,
  isFailed,
  isPaused,
  isRetrying,
  isRunning,
  isTerminated,
  type StateType,
} from "@saker/sdk";
import type { ResolvedTask, TaskNode, TaskRun } from "../model/execution.ts";
import type { Concurrency } from "../model/flow.ts";
import { typeFlowOutputs } from "../model/outputs.ts";
import { nextExecutionRetryDate, nextTaskRetryDate } from "../model/retry.ts";
import type { ExecutorRun } from "./executorRun.ts";
import { failedRuns, unfinishedRuns, findParents } from "../model/taskRunIndex.ts";
import { allTerminated, findTaskDependingFlowState, guessFinalState, inProgress } from "./queries.ts";
import { resolveSequentialNexts } from "./sequencing.ts";

const roots = new WeakMap<readonly TaskNode[], readonly ResolvedTask[]>();
const NONE: readonly ResolvedTask[] = [];

/** A flow's root list resolved, the same list for the same flow (so answers about it are kept). */
export function rootTasks(tasks: readonly TaskNode[] | undefined): readonly ResolvedTask[] {
  if (!tasks) return NONE;
  let resolved = roots.get(tasks);
  if (!resolved) roots.set(tasks, (resolved = tasks.map((task) => ({ task }))));
  return resolved;
}

/** A CREATED execution: wait for its schedule date, then apply the flow's concurrency limit. Returns false to stop the pass. */
export function handleCreation(run: ExecutorRun): boolean {
  const x = run.x;
  if (x.state.current !== "CREATED") return x.state.current !== "QUEUED";
  if (x.scheduleDate && Date.parse(x.scheduleDate) > run.now().getTime()) {
    if (!run.state.scheduled) {
      run.state.scheduled = true;
      run.command({ type: "delay", delay: { kind: "RESUME_FLOW", state: "RUNNING", at: Date.parse(x.scheduleDate) } });
      run.version++;
    }
    return false;
  }
  const concurrency = run.graph.flow.concurrency;
  if (concurrency && !run.state.concurrencyChecked) {
    run.state.concurrencyChecked = true;
    run.version++;
    return withinConcurrencyLimit(run, concurrency);
  }
  return true;
}

/**
 * A RESTARTED execution goes RUNNING. One restarted after it FAILED first passes the flow's
 * concurrency limit, as a created one does (Kestra 1.x); one resumed from a pause holds its slot
 * already. Returns false to stop the pass.
 */
export function handleRestart(run: ExecutorRun): boolean {
  if (run.x.state.current !== "RESTARTED") return true;
  const concurrency = run.graph.flow.concurrency;
  if (concurrency && restartedAfterFailure(run.x.state) && !withinConcurrencyLimit(run, concurrency)) return false;
  run.log("INFO", "Flow restarted");
  run.setExecutionState("RUNNING");
  return true;
}

/**
 * Whether a step that took an execution from state `before` to `after` let it run under the
 * flow's concurrency limit: out of CREATED or QUEUED, or restarted after it failed, and neither
 * queued nor ended by the step.
 */
export function takesConcurrencySlot(before: ExecutorRun["x"]["state"], after: StateType): boolean {
  const from = before.current;
  return (
    (from === "CREATED" || from === "QUEUED" || (from === "RESTARTED" && restartedAfterFailure(before))) &&
    after !== "CREATED" &&
    after !== "QUEUED" &&
    !isTerminated(after)
  );
}

/** Whether the state's last change is a restart of a FAILED execution (not a resume from a pause). */
function restartedAfterFailure(state: ExecutorRun["x"]["state"]): boolean {
  const h = state.histories;
  return h.length >= 2 && h[h.length - 1]!.state === "RESTARTED" && h[h.length - 2]!.state === "FAILED";
}

/**
 * Whether the flow's concurrency limit lets the execution run; else it is queued, cancelled or
 * failed by the limit's `behavior` (the task runs a restart reset end with it, unless queued).
 */
function withinConcurrencyLimit(run: ExecutorRun, concurrency: Concurrency): boolean {
  const count = run.deps.countRunning();
  if (count < concurrency.limit) return true;
  if (concurrency.behavior === "QUEUE") {
    run.log("INFO", `Flow is queued due to concurrency limit exceeded, ${count} running(s)`);
    run.setExecutionState("QUEUED");
    return false;
  }
  const state = concurrency.behavior === "CANCEL" ? "CANCELLED" : "FAILED";
  if (state === "FAILED") run.log("ERROR", "Flow is FAILED due to concurrency limit exceeded");
  for (const taskRun of unfinishedRuns(run.x.taskRunList)) run.setTaskRunState(taskRun, state);
  run.setExecutionState(state);
  return false;
}

/** A failed runnable (or Subflow) task run with a retry policy goes RETRYING (or RETRIED) with a delay. */
export function handleRetries(run: ExecutorRun): void {
  const x = run.x;
  if (isRetrying(x.state.current) || isTerminated(x.state.current) || x.state.current === "KILLING") return;
  for (const taskRun of failedRuns(x.taskRunList)) {
    if (!isFailed(taskRun.state.current)) continue;
    const kind = run.definitionOf(taskRun).kind;
    if (kind !== "task" && kind !== "executor") continue;
    const policy = run.graph.effectiveRetryOf(taskRun.taskId);
    if (!policy) continue;
    if (policy.behavior === "CREATE_NEW_EXECUTION") {
      const own = run.graph.retryOf(taskRun.taskId) !== undefined;
      const base = own ? lastAttemptDate(taskRun) : Date.parse(x.state.histories[x.state.histories.length - 1]!.date);
      const at = nextExecutionRetryDate(policy, x, base);
      if (at === undefined) continue;
      for (const t of [...findParents(x, taskRun), taskRun]) run.setTaskRunState(t, "RETRIED");
      run.setExecutionState("RETRIED");
      run.command({
        type: "delay",
        delay: { kind: "RESTART_FAILED_FLOW", taskRunId: taskRun.id, state: "RUNNING", at },
      });
    } else {
      const at = nextTaskRetryDate(policy, taskRun);
      if (at === undefined) continue;
      run.setTaskRunState(taskRun, "RETRYING");
      run.setExecutionState("RETRYING");
      run.command({
        type: "delay",
        delay: { kind: "RESTART_FAILED_TASK", taskRunId: taskRun.id, state: "RUNNING", at },
      });
    }
    return;
  }
}

function lastAttemptDate(taskRun: TaskRun): number {
  const attempt = taskRun.attempts?.[taskRun.attempts.length - 1];
  const histories = (attempt?.state ?? taskRun.state).histories;
  return Date.parse(histories[histories.length - 1]!.date);
}

/**
 * When the followed root list (tasks or errors) is done: run `finally`, then end the execution. A
 * promise only then.
 */
export function handleEnd(run: ExecutorRun): Promise<void> | void {
  const x = run.x;
  const s = x.state.current;
  if (isTerminated(s) || isPaused(s) || isRetrying(s) || s === "KILLING" || s === "QUEUED") return;
  const flow = run.graph.flow;
  if (inProgress(x, rootTasks(flow.tasks))) return;
  const current = findTaskDependingFlowState(x, rootTasks(flow.tasks), rootTasks(flow.errors), undefined, (id) =>
    run.graph.retryOf(id),
  );
  if (!allTerminated(x, current)) return;
  return finallyOrEnd(run);
}

async function finallyOrEnd(run: ExecutorRun): Promise<void> {
  const x = run.x;
  const flow = run.graph.flow;
  const finallyTasks = rootTasks(flow.finally).filter((t) => t.task.disabled !== true);
  if (finallyTasks.length > 0 && !allTerminated(x, finallyTasks)) {
    const input = { execution: x, tasks: finallyTasks, errors: undefined, parent: undefined, retryOf: () => undefined };
    await run.addTaskRuns(resolveSequentialNexts(input));
    return;
  }
  await endExecution(run);
}

async function endExecution(run: ExecutorRun): Promise<void> {
  const x = run.x;
  const flow = run.graph.flow;
  let final = guessFinalState(x, rootTasks(flow.tasks), undefined);
  const finallyState = guessFinalState(x, rootTasks(flow.finally), undefined);
  if (final === "SUCCESS" && (finallyState === "FAILED" || finallyState === "WARNING")) final = finallyState;
  run.setExecutionState(final);
  if (flow.outputs?.length) {
    try {
      const values: Record<string, unknown> = {};
      const vars = run.variables();
      for (const output of flow.outputs) values[output.id] = await run.deps.renderValue(output.value, vars);
      x.outputs = run.seal(typeFlowOutputs(flow.outputs, values));
    } catch (error) {
      run.log("ERROR", `Failed to render output values: ${errorMessage(error)}`);
      run.setExecutionState("FAILED");
    }
  }
  run.log("INFO", `Flow completed with state ${x.state.current} in ${x.state.duration}`);
}

/** KILLING: task runs not started yet are KILLED; the execution is KILLED once nothing runs. */
export function handleKilling(run: ExecutorRun): void {
  const x = run.x;
  if (x.state.current !== "KILLING") return;
  for (const taskRun of x.taskRunList) {
    if (isCreated(taskRun.state.current) || isPaused(taskRun.state.current)) run.setTaskRunState(taskRun, "KILLED");
  }
  const busy = x.taskRunList.some((t) => isRunning(t.state.current) || isCreated(t.state.current));
  if (!busy) run.setExecutionState("KILLED");
}

/** True once the execution ended and its `afterExecution` tasks ran. */
export function isFullyTerminated(run: ExecutorRun): boolean {
  if (!isTerminated(run.x.state.current)) return false;
  const after = rootTasks(run.graph.flow.afterExecution).filter((t) => t.task.disabled !== true);
  return after.length === 0 || allTerminated(run.x, after);
}
