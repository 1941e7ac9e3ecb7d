/**
 * Restart and replay, as Kestra's `ExecutionService` does them: pure functions from an execution
 * to the execution to process next.
 */
import { isFailed, isPaused, isTerminated, SakerError, type StateType } from "@saker/sdk";
import type { Execution, TaskRun } from "../model/execution.ts";
import type { FlowGraph } from "../flow/flowGraph.ts";
import { newState, withState } from "../model/state.ts";
import { findParents } from "../model/taskRunIndex.ts";
import type { ExecutorState } from "./types.ts";

function withAncestors(execution: Execution, taskRuns: readonly TaskRun[]): Set<string> {
  const ids = new Set<string>();
  for (const taskRun of taskRuns) {
    ids.add(taskRun.id);
    for (const parent of findParents(execution, taskRun)) ids.add(parent.id);
  }
  return ids;
}

/** A reset task run: runnables take `state`, flowable ancestors go back to RUNNING. */
function resetTaskRun(graph: FlowGraph, taskRun: TaskRun, state: StateType, now: Date): TaskRun {
  const task = graph.findTask(taskRun.taskId);
  const kind = task ? graph.typeOf(task).definition.kind : "task";
  const flowable =
    kind === "flowable" &&
    !(task && (graph.typeOf(task).definition as { workingDirectory?: boolean }).workingDirectory);
  return { ...taskRun, state: withState(taskRun.state, flowable ? "RUNNING" : state, now) };
}

/** Children of WorkingDirectory task runs being reset run again from scratch: they are removed. */
function workingDirectoryChildren(graph: FlowGraph, execution: Execution, reset: ReadonlySet<string>): Set<string> {
  const remove = new Set<string>();
  for (const taskRun of execution.taskRunList) {
    if (!reset.has(taskRun.id)) continue;
    const task = graph.findTask(taskRun.taskId);
    if (!task || !(graph.typeOf(task).definition as { workingDirectory?: boolean }).workingDirectory) continue;
    for (const t of execution.taskRunList)
      if (findParents(execution, t).some((p) => p.id === taskRun.id)) remove.add(t.id);
  }
  return remove;
}

/**
 * The `finally` runs of flowable task runs being reset, and everything under them: the flowable
 * runs its `finally` again once its tasks ended anew (left in place, it would count as begun).
 */
function finallyRuns(graph: FlowGraph, execution: Execution, reset: ReadonlySet<string>): Set<string> {
  const remove = new Set<string>();
  for (const taskRun of execution.taskRunList) {
    if (!taskRun.parentTaskRunId || !reset.has(taskRun.parentTaskRunId)) continue;
    const parentTask = graph.findTask(taskRun.taskId) ? graph.parent(taskRun.taskId) : undefined;
    const list = parentTask?.finally;
    if (Array.isArray(list) && list.some((t) => (t as { id?: unknown }).id === taskRun.taskId)) remove.add(taskRun.id);
  }
  if (remove.size === 0) return remove;
  for (const t of execution.taskRunList) if (findParents(execution, t).some((p) => remove.has(p.id))) remove.add(t.id);
  return remove;
}

export interface ActionResult {
  execution: Execution;
  state: ExecutorState;
}

/**
 * Restarts a terminated (or paused) execution: failed and paused task runs and their ancestors
 * run again, `errors` branches and the `finally` of the flowables reset are forgotten. Same id
 * unless a revision is given.
 */
export function restartExecution(
  graph: FlowGraph,
  execution: Execution,
  executorState: ExecutorState,
  now: Date,
  newId: () => string,
  revision?: number,
): ActionResult {
  const s = execution.state.current;
  if (!(isTerminated(s) || isPaused(s))) {
    throw new SakerError(
      "EXECUTION_NOT_RESTARTABLE",
      `Execution must be terminated to be restarted, current state is '${s}' !`,
    );
  }
  const targets = execution.taskRunList.filter((t) => isFailed(t.state.current) || isPaused(t.state.current));
  if (targets.length === 0)
    throw new SakerError("EXECUTION_NOT_RESTARTABLE", "No task found to restart execution from!");
  const reset = withAncestors(execution, targets);
  const removed = workingDirectoryChildren(graph, execution, reset);
  for (const id of finallyRuns(graph, execution, reset)) removed.add(id);
  const taskRunList = execution.taskRunList
    .filter((t) => !removed.has(t.id) && !graph.isErrorBranch(t.taskId))
    .map((t) => (reset.has(t.id) ? resetTaskRun(graph, t, "RESTARTED", now) : t));
  const id = revision !== undefined ? newId() : execution.id;
  const restarted: Execution = {
    ...execution,
    id,
    ...(revision !== undefined ? { parentId: execution.id, flowRevision: revision } : {}),
    taskRunList: revision !== undefined ? taskRunList.map((t) => ({ ...t, executionId: id })) : taskRunList,
    state: withState(execution.state, "RESTARTED", now),
    metadata: { ...execution.metadata, attemptNumber: execution.metadata.attemptNumber + 1 },
  };
  delete restarted.outputs;
  const dispatched = executorState.dispatched.filter((k) => !reset.has(k.slice(0, k.lastIndexOf(":"))));
  return { execution: restarted, state: { ...executorState, dispatched } };
}

/**
 * Replays an execution as a new one (new id, `parentId` = the source, `originalId` kept): from
 * scratch, or from one task run, whose ancestors are reset and whose later task runs are dropped.
 */
export function replayExecution(
  graph: FlowGraph,
  execution: Execution,
  now: Date,
  newId: () => string,
  taskRunId?: string,
  revision?: number,
): ActionResult {
  const id = newId();
  let taskRunList: TaskRun[] = [];
  let state = newState(now);
  if (taskRunId !== undefined) {
    const target = execution.taskRunList.find((t) => t.id === taskRunId);
    if (!target)
      throw new SakerError("TASK_RUN_NOT_FOUND", `No task run '${taskRunId}' in execution '${execution.id}'`);
    const reset = withAncestors(execution, [target]);
    const index = execution.taskRunList.indexOf(target);
    const removed = workingDirectoryChildren(graph, execution, reset);
    const kept = execution.taskRunList.filter(
      (t, i) =>
        !removed.has(t.id) &&
        (i <= index || reset.has(t.id)) &&
        !findParents(execution, t).some((p) => p.id === taskRunId),
    );
    const ids = new Map(kept.map((t) => [t.id, newId()]));
    taskRunList = kept.map((t) => {
      const copy: TaskRun = reset.has(t.id) ? resetTaskRun(graph, t, "RESTARTED", now) : { ...t };
      copy.id = ids.get(t.id)!;
      copy.executionId = id;
      if (copy.parentTaskRunId) copy.parentTaskRunId = ids.get(copy.parentTaskRunId) ?? copy.parentTaskRunId;
      return copy;
    });
    state = withState(execution.state, "RESTARTED", now);
  }
  const replay: Execution = {
    ...execution,
    id,
    parentId: execution.id,
    taskRunList,
    state,
    ...(revision !== undefined ? { flowRevision: revision } : {}),
    metadata: { ...execution.metadata, attemptNumber: execution.metadata.attemptNumber + 1 },
    labels: execution.labels.filter((l) => l.key !== "system.restarted"),
  };
  delete replay.outputs;
  return { execution: replay, state: { dispatched: [] } };
}

/**
 * Fails an execution from outside the executor (its processing itself is what cannot be trusted,
 * e.g. after repeated crashes): `culprit` and its ancestors end FAILED, every other unfinished
 * task run KILLED, the execution FAILED.
 */
export function failExecution(execution: Execution, culprit: TaskRun | undefined, now: Date): Execution {
  const x = structuredClone(execution);
  const failed = culprit ? withAncestors(x, [culprit]) : new Set<string>();
  x.taskRunList = x.taskRunList.map((taskRun) => {
    if (isTerminated(taskRun.state.current)) return taskRun;
    const state = failed.has(taskRun.id) ? "FAILED" : "KILLED";
    const attempts = taskRun.attempts?.map((a, i, all) =>
      i === all.length - 1 && !isTerminated(a.state.current) ? { ...a, state: withState(a.state, state, now) } : a,
    );
    return { ...taskRun, state: withState(taskRun.state, state, now), ...(attempts ? { attempts } : {}) };
  });
  if (!isTerminated(x.state.current)) x.state = withState(x.state, "FAILED", now);
  return x;
}
