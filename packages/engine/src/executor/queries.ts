/**
 * Read-only questions about an execution's task runs, as Kestra's `Execution` answers them. A
 * "resolved task" is a task of the flow for one parent task run and one value (ForEach).
 */
import { isCreated, isFailed, isPaused, isRunning, isTerminated, type StateType } from "@saker/sdk";
import type { Execution, ResolvedTask, TaskRun } from "../model/execution.ts";
import { shouldBeRetried, type RetryPolicy } from "../model/retry.ts";
import { taskRunIndex, type TaskRunIndex } from "../model/taskRunIndex.ts";

export function isTaskRunFor(resolved: ResolvedTask, taskRun: TaskRun, parent: TaskRun | undefined): boolean {
  return (
    resolved.task.id === taskRun.taskId &&
    (parent === undefined || parent.id === taskRun.parentTaskRunId) &&
    (resolved.value === undefined || resolved.value === taskRun.value)
  );
}

/** The answers about one resolved list under one parent, kept up to date from the index (see `group`). */
interface Group {
  matches: (t: TaskRun) => boolean;
  /** How many runs of the list were looked at, and how many entries of the index's change log. */
  length: number;
  cursor: number;
  runs: TaskRun[];
  /** The state each run was counted in, and the count of runs per state. */
  seen: Map<TaskRun, StateType>;
  counts: Map<StateType, number>;
}

const GROUPS = Symbol("groups");
type Groups = WeakMap<readonly ResolvedTask[], Map<string, Group>>;

function recount(group: Group, from: StateType | undefined, to: StateType): void {
  if (from !== undefined) group.counts.set(from, group.counts.get(from)! - 1);
  group.counts.set(to, (group.counts.get(to) ?? 0) + 1);
}

function join(group: Group, run: TaskRun): void {
  group.runs.push(run);
  group.seen.set(run, run.state.current);
  recount(group, undefined, run.state.current);
}

/**
 * The runs of `resolved` under `parent` (any parent at the root) with their count per state, per
 * task run list, resolved list and parent. A run's task, parent and value never change: a group is
 * extended with the runs appended since it was read, and its counts follow the runs the index
 * logged as changed, so reading it costs what changed since, not the size of the execution.
 */
function group(execution: Execution, resolved: readonly ResolvedTask[], parent: TaskRun | undefined): Group {
  const list = execution.taskRunList;
  const index = taskRunIndex(list);
  let groups = index.derived.get(GROUPS) as Groups | undefined;
  if (!groups) index.derived.set(GROUPS, (groups = new WeakMap()));
  let byParent = groups.get(resolved);
  if (!byParent) groups.set(resolved, (byParent = new Map()));
  const key = parent?.id ?? "";
  let known = byParent.get(key);
  if (!known) {
    const matches = matcher(resolved, parent);
    known = {
      matches,
      length: index.length,
      cursor: index.changes.length,
      runs: [],
      seen: new Map(),
      counts: new Map(),
    };
    for (const run of candidates(index, resolved, parent)) {
      index.visits++;
      if (matches(run)) join(known, run);
    }
    byParent.set(key, known);
    return known;
  }
  for (; known.length < index.length; known.length++) {
    const run = list[known.length]!;
    index.visits++;
    if (known.matches(run)) join(known, run);
  }
  for (; known.cursor < index.changes.length; known.cursor++) {
    const run = index.changes[known.cursor]!;
    index.visits++;
    const counted = known.seen.get(run);
    if (counted !== undefined && counted !== run.state.current) {
      recount(known, counted, run.state.current);
      known.seen.set(run, run.state.current);
    }
  }
  return known;
}

const NO_RUNS: readonly TaskRun[] = [];

/**
 * Up to this many task runs, a question is answered by reading the list: cheaper than building
 * and keeping the groups (maps, sets, a matcher), which pay off only when the list is long.
 * Most executions stay this small (in a burst of one-task executions, the questions took 2.2% of
 * the CPU through the groups and 0.7% read run by run).
 */
export const SCANNED = 8;

/** Whether `run` is a run of one of `resolved` under `parent`: `matcher`'s answer, without its sets. */
function scannedMatch(resolved: readonly ResolvedTask[], parent: TaskRun | undefined, run: TaskRun): boolean {
  if (parent !== undefined && run.parentTaskRunId !== parent.id) return false;
  for (const r of resolved)
    if (r.task.id === run.taskId && (r.value === undefined || r.value === run.value)) return true;
  return false;
}

/**
 * The task runs of `resolved` under `parent` (any parent at the root), in creation order. The
 * answer is shared: callers do not change it.
 */
export function findTaskRunsByTasks(
  execution: Execution,
  resolved: readonly ResolvedTask[] | undefined,
  parent?: TaskRun,
): readonly TaskRun[] {
  if (!resolved || resolved.length === 0) return NO_RUNS;
  const list = execution.taskRunList;
  if (list.length <= SCANNED) return list.filter((run) => scannedMatch(resolved, parent, run));
  return group(execution, resolved, parent).runs;
}

/** How many task runs of `resolved` under `parent` are in a state `which` accepts. */
export function countRuns(
  execution: Execution,
  resolved: readonly ResolvedTask[] | undefined,
  parent: TaskRun | undefined,
  which: (state: StateType) => boolean,
): number {
  if (!resolved || resolved.length === 0) return 0;
  let n = 0;
  const list = execution.taskRunList;
  if (list.length <= SCANNED) {
    for (const run of list) if (scannedMatch(resolved, parent, run) && which(run.state.current)) n++;
    return n;
  }
  for (const [state, count] of group(execution, resolved, parent).counts) if (which(state)) n += count;
  return n;
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

/** The runs that may match: the parent's children, the runs of the only task, else all. */
function candidates(
  index: TaskRunIndex,
  resolved: readonly ResolvedTask[],
  parent: TaskRun | undefined,
): Iterable<TaskRun> {
  if (parent !== undefined) return index.children.get(parent.id) ?? NO_RUNS;
  const first = resolved[0]!.task.id;
  if (resolved.every((r) => r.task.id === first)) return index.byTask.get(first) ?? NO_RUNS;
  return index.position.keys();
}

const firstPositions = new WeakMap<readonly ResolvedTask[], Map<string, number>>();

/**
 * The position in `resolved` of the first resolved task `taskRun` is a run of (see `isTaskRunFor`,
 * its parent taken as matching), or -1; looked up in a map built once per resolved list.
 */
export function resolvedPosition(resolved: readonly ResolvedTask[], taskRun: TaskRun): number {
  let positions = firstPositions.get(resolved);
  if (!positions) {
    positions = new Map();
    resolved.forEach((r, i) => {
      const key = r.value === undefined ? r.task.id : `${r.task.id}\0${r.value}`;
      if (!positions!.has(key)) positions!.set(key, i);
    });
    firstPositions.set(resolved, positions);
  }
  const any = positions.get(taskRun.taskId);
  const valued = taskRun.value === undefined ? undefined : positions.get(`${taskRun.taskId}\0${taskRun.value}`);
  if (any === undefined) return valued ?? -1;
  return valued === undefined ? any : Math.min(any, valued);
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
  return countRuns(execution, tasks, parent, isFailed) > 0;
}

/** A failed task run that its own retry policy will not retry. */
export function hasFailedNoRetry(
  execution: Execution,
  tasks: readonly ResolvedTask[],
  parent: TaskRun | undefined,
  retryOf: (taskId: string) => RetryPolicy | undefined,
): boolean {
  if (!hasFailed(execution, tasks, parent)) return false;
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
  return countRuns(execution, tasks, parent, (s) => !isTerminated(s)) > 0;
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
  finallyTasks?: readonly ResolvedTask[],
): readonly ResolvedTask[] {
  const current = withoutDisabled(tasks) ?? [];
  const errorTasks = withoutDisabled(errors);
  // A flowable's `finally` (the flow's own runs after its end: lifecycle.ts) comes last, after
  // the tasks or, when one failed, after the errors branch; once begun, it is the one followed.
  const enabledFinally = withoutDisabled(finallyTasks);
  const last = enabledFinally?.length ? enabledFinally : undefined;
  if (last && findTaskRunsByTasks(execution, last, parent).length > 0) return last;
  const errorsStarted = findTaskRunsByTasks(execution, errorTasks, parent).length > 0;
  if (errorsStarted || hasFailed(execution, current, parent)) {
    if (!hasFailedNoRetry(execution, current, parent, retryOf)) return [];
    // Running siblings (Parallel, Dag, ForEach) finish before the errors branch starts.
    if (!errorsStarted && inProgress(execution, current, parent)) return [];
    if (!last || (errorTasks?.length && !allTerminated(execution, errorTasks, parent))) return errorTasks ?? [];
    return last;
  }
  // tasks all disabled count as done; an empty branch (an If without `else`) ends at once, as in Kestra
  if (last && tasks.length > 0 && allTerminated(execution, current, parent)) return last;
  return current;
}

export function allTerminated(execution: Execution, tasks: readonly ResolvedTask[], parent?: TaskRun): boolean {
  return countRuns(execution, tasks, parent, isTerminated) === tasks.length;
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
  let state: StateType = "SUCCESS";
  for (const candidate of ["KILLED", "FAILED", "WARNING", "PAUSED"] as const) {
    if (countRuns(execution, tasks, parent, (s) => s === candidate) > 0) {
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
