/**
 * Read-only questions about an execution's task runs, as Kestra's `Execution` answers them. A
 * "resolved task" is a task of the flow for one parent task run and one value (ForEach).
 */
import { isCreated, isFailed, isPaused, isRunning, isTerminated, type StateType } from "@saker/sdk";
import type { Execution, ResolvedTask, TaskRun } from "../model/execution.ts";
import { shouldBeRetried, type RetryPolicy } from "../model/retry.ts";

export function isTaskRunFor(resolved: ResolvedTask, taskRun: TaskRun, parent: TaskRun | undefined): boolean {
  return (
    resolved.task.id === taskRun.taskId &&
    (parent === undefined || parent.id === taskRun.parentTaskRunId) &&
    (resolved.value === undefined || resolved.value === taskRun.value)
  );
}

interface TaskRunIndex {
  /** How many task runs of the list are indexed, and the last of them. */
  length: number;
  last: TaskRun | undefined;
  byId: Map<string, TaskRun>;
  /** The children of each task run (by its id), in creation order. */
  children: Map<string, TaskRun[]>;
  /** The task runs of each task (by its id), in creation order. */
  byTask: Map<string, TaskRun[]>;
}

/**
 * Lookups by id and by parent over a task run list. The executor only appends to a list (a
 * restart or a replay builds a new one), and a task run's id, task and parent never change, so the
 * index of a list is extended with the runs appended since, and built again if it was changed
 * otherwise. Weak: it goes with its list.
 */
const indexes = new WeakMap<readonly TaskRun[], TaskRunIndex>();

export function taskRunIndex(list: readonly TaskRun[]): TaskRunIndex {
  let index = indexes.get(list);
  if (!index || index.length > list.length || (index.length > 0 && list[index.length - 1] !== index.last)) {
    index = {
      length: 0,
      last: undefined,
      byId: new Map(),
      children: new Map(),
      byTask: new Map(),
    };
    indexes.set(list, index);
  }
  for (let i = index.length; i < list.length; i++) {
    const run = list[i]!;
    index.byId.set(run.id, run);
    const key = run.parentTaskRunId ?? "";
    const siblings = index.children.get(key);
    if (siblings) siblings.push(run);
    else index.children.set(key, [run]);
    const ofTask = index.byTask.get(run.taskId);
    if (ofTask) ofTask.push(run);
    else index.byTask.set(run.taskId, [run]);
  }
  index.length = list.length;
  index.last = list[list.length - 1];
  return index;
}

/** What `findTaskRunsByTasks` found over the first `length` runs of a list, the last of them `last`. */
interface Found {
  matches: (t: TaskRun) => boolean;
  length: number;
  last: TaskRun | undefined;
  runs: TaskRun[];
}

/**
 * The answers of `findTaskRunsByTasks`, per task run list, resolved list and parent: a run's task,
 * parent and value never change, so an answer is extended with the runs appended since (the same
 * resolved list is asked about several times per pass, and the root lists at every pass).
 */
const found = new WeakMap<readonly TaskRun[], WeakMap<readonly ResolvedTask[], Map<string, Found>>>();

/**
 * The task runs of `resolved` under `parent` (any parent at the root), in creation order. The
 * answer is shared: callers do not change it.
 */
export function findTaskRunsByTasks(
  execution: Execution,
  resolved: readonly ResolvedTask[] | undefined,
  parent?: TaskRun,
): readonly TaskRun[] {
  if (!resolved || resolved.length === 0) return [];
  const list = execution.taskRunList;
  let byResolved = found.get(list);
  if (!byResolved) found.set(list, (byResolved = new WeakMap()));
  let byParent = byResolved.get(resolved);
  if (!byParent) byResolved.set(resolved, (byParent = new Map()));
  const key = parent?.id ?? "";
  let known = byParent.get(key);
  if (!known || known.length > list.length || (known.length > 0 && list[known.length - 1] !== known.last)) {
    const matches = matcher(resolved, parent);
    known = {
      matches,
      length: list.length,
      last: list[list.length - 1],
      runs: searchTaskRuns(execution, resolved, parent, matches),
    };
    byParent.set(key, known);
    return known.runs;
  }
  if (known.length < list.length) {
    for (let i = known.length; i < list.length; i++) if (known.matches(list[i]!)) known.runs.push(list[i]!);
    known.length = list.length;
    known.last = list[list.length - 1];
  }
  return known.runs;
}

function matcher(resolved: readonly ResolvedTask[], parent: TaskRun | undefined): (t: TaskRun) => boolean {
  const ids = new Set(resolved.map((r) => r.task.id));
  // a resolved task without a value stands for every value of its task
  const anyValue = new Set(resolved.filter((r) => r.value === undefined).map((r) => r.task.id));
  const withValues = anyValue.size < ids.size;
  const valued = withValues
    ? new Set(resolved.filter((r) => r.value !== undefined).map((r) => `${r.task.id}\0${r.value}`))
    : undefined;
  return (t) => {
    if (!ids.has(t.taskId)) return false;
    if (parent !== undefined && t.parentTaskRunId !== parent.id) return false;
    return !valued || anyValue.has(t.taskId) || (t.value !== undefined && valued.has(`${t.taskId}\0${t.value}`));
  };
}

function searchTaskRuns(
  execution: Execution,
  resolved: readonly ResolvedTask[],
  parent: TaskRun | undefined,
  matches: (t: TaskRun) => boolean,
): TaskRun[] {
  const ids = new Set(resolved.map((r) => r.task.id));
  const index = taskRunIndex(execution.taskRunList);
  let candidates: readonly TaskRun[];
  if (parent !== undefined) candidates = index.children.get(parent.id) ?? [];
  else if (ids.size === 1) candidates = index.byTask.get(ids.values().next().value!) ?? [];
  else candidates = execution.taskRunList;
  return candidates.filter(matches);
}

const enabled = new WeakMap<readonly ResolvedTask[], readonly ResolvedTask[]>();

/** The tasks not disabled: the same list when none is (so answers about it are kept, see `found`). */
export function withoutDisabled(tasks: readonly ResolvedTask[] | undefined): readonly ResolvedTask[] | undefined {
  if (!tasks) return undefined;
  let kept = enabled.get(tasks);
  if (!kept) {
    kept = tasks.some((t) => t.task.disabled === true) ? tasks.filter((t) => t.task.disabled !== true) : tasks;
    enabled.set(tasks, kept);
  }
  return kept;
}

export function hasFailed(execution: Execution, tasks: readonly ResolvedTask[] | undefined, parent?: TaskRun): boolean {
  return findTaskRunsByTasks(execution, tasks, parent).some((t) => isFailed(t.state.current));
}

/** A failed task run that its own retry policy will not retry. */
export function hasFailedNoRetry(
  execution: Execution,
  tasks: readonly ResolvedTask[],
  parent: TaskRun | undefined,
  retryOf: (taskId: string) => RetryPolicy | undefined,
): boolean {
  return findTaskRunsByTasks(execution, tasks, parent).some(
    (t) => isFailed(t.state.current) && !shouldBeRetried(retryOf(t.taskId), t),
  );
}

/** A task run of these tasks is not terminated yet (created, running, paused, retrying). */
export function inProgress(
  execution: Execution,
  tasks: readonly ResolvedTask[] | undefined,
  parent?: TaskRun,
): boolean {
  return findTaskRunsByTasks(execution, tasks, parent).some((t) => !isTerminated(t.state.current));
}

/**
 * Which list the flow (or a flowable) follows now: `errors` once a task failed for good (or an
 * errors task already started), nothing while a failed task waits for its retry, else `tasks`.
 */
export function findTaskDependingFlowState(
  execution: Execution,
  tasks: readonly ResolvedTask[],
  errors: readonly ResolvedTask[] | undefined,
  parent: TaskRun | undefined,
  retryOf: (taskId: string) => RetryPolicy | undefined,
): readonly ResolvedTask[] {
  const current = withoutDisabled(tasks) ?? [];
  const errorTasks = withoutDisabled(errors);
  const errorsStarted = findTaskRunsByTasks(execution, errorTasks, parent).length > 0;
  if (errorsStarted || hasFailed(execution, current, parent)) {
    if (!hasFailedNoRetry(execution, current, parent, retryOf)) return [];
    // Running siblings (Parallel, Dag, ForEach) finish before the errors branch starts.
    if (!errorsStarted && inProgress(execution, current, parent)) return [];
    return errorTasks ?? [];
  }
  return current;
}

export function allTerminated(execution: Execution, tasks: readonly ResolvedTask[], parent?: TaskRun): boolean {
  const runs = findTaskRunsByTasks(execution, tasks, parent);
  return runs.filter((t) => isTerminated(t.state.current)).length === tasks.length;
}

function findLast(runs: readonly TaskRun[], predicate: (s: StateType) => boolean): TaskRun | undefined {
  for (let i = runs.length - 1; i >= 0; i--) if (predicate(runs[i]!.state.current)) return runs[i];
  return undefined;
}

export const findLastCreated = (runs: readonly TaskRun[]) => findLast(runs, isCreated);
/**
 * Running, paused, or waiting for its retry: each means "a child is still in progress" for
 * sequencing (a RETRYING child is neither created nor terminated, and must not start the next one).
 */
export const findLastInProgress = (runs: readonly TaskRun[]) =>
  findLast(runs, (s) => isRunning(s) || isPaused(s) || s === "RETRYING");
export const findLastTerminated = (runs: readonly TaskRun[]) => findLast(runs, isTerminated);

/**
 * Kestra's `guessFinalState`: the last KILLED, else FAILED, else WARNING, else PAUSED task run
 * decides; SUCCESS otherwise. `allowFailure` turns FAILED into WARNING, `allowWarning` WARNING
 * into SUCCESS.
 */
export function guessFinalState(
  execution: Execution,
  tasks: readonly ResolvedTask[] | undefined,
  parent: TaskRun | undefined,
  allowFailure = false,
  allowWarning = false,
): StateType {
  const runs = findTaskRunsByTasks(execution, tasks, parent);
  let state: StateType = "SUCCESS";
  for (const candidate of ["KILLED", "FAILED", "WARNING", "PAUSED"] as const) {
    if (findLast(runs, (s) => s === candidate)) {
      state = candidate;
      break;
    }
  }
  if (state === "FAILED" && allowFailure) return allowWarning ? "SUCCESS" : "WARNING";
  if (state === "WARNING" && allowWarning) return "SUCCESS";
  return state;
}

export function findTaskRun(execution: Execution, id: string): TaskRun | undefined {
  return taskRunIndex(execution.taskRunList).byId.get(id);
}

/** The ancestors of a task run, the root first. */
export function findParents(execution: Execution, taskRun: TaskRun): TaskRun[] {
  const byId = taskRunIndex(execution.taskRunList).byId;
  const parents: TaskRun[] = [];
  for (let p = taskRun.parentTaskRunId; p !== undefined;) {
    const parent = byId.get(p);
    if (!parent) break;
    parents.unshift(parent);
    p = parent.parentTaskRunId;
  }
  return parents;
}

/** The values of the ancestors (root first), then the task run's own value. */
export function parentValues(execution: Execution, taskRun: TaskRun): string[] {
  const values = findParents(execution, taskRun)
    .map((p) => p.value)
    .filter((v): v is string => v !== undefined);
  if (taskRun.value !== undefined) values.push(taskRun.value);
  return values;
}
