/**
 * Which task runs a flowable creates next, and when it is done: Kestra's `FlowableUtils`.
 * A paused child counts as in progress (Kestra relies on deduplication for that case).
 */
import { isCreated, isPaused, isRunning, isTerminated, type StateType } from "@saker/sdk";
import type { Execution, ResolvedTask, TaskRun } from "../model/execution.ts";
import type { RetryPolicy } from "../model/retry.ts";
import type { NextTaskRun } from "../plugins/engineTypes.ts";
import {
  allTerminated,
  countRuns,
  findLastTerminated,
  findTaskDependingFlowState,
  findTaskRunsByTasks,
  guessFinalState,
  hasFailed,
  inProgress,
  isTaskRunFor,
  resolvedPosition,
  SCANNED,
  withoutDisabled,
} from "./queries.ts";

export interface SequencingInput {
  execution: Execution;
  tasks: readonly ResolvedTask[];
  errors: readonly ResolvedTask[] | undefined;
  /** Tasks run at the end, whatever the tasks' and the errors branch's outcome. */
  finally?: readonly ResolvedTask[] | undefined;
  parent: TaskRun | undefined;
  retryOf: (taskId: string) => RetryPolicy | undefined;
}

function current(input: SequencingInput): readonly ResolvedTask[] {
  return findTaskDependingFlowState(
    input.execution,
    input.tasks,
    input.errors,
    input.parent,
    input.retryOf,
    input.finally,
  );
}

/** Whether `list` (from {@link current}) is the errors branch or `finally`, which run one task after the other. */
function isSequentialBranch(input: SequencingInput, list: readonly ResolvedTask[]): boolean {
  const first = list[0];
  return first !== undefined && (input.errors?.includes(first) === true || input.finally?.includes(first) === true);
}

/** Created, or in progress as `findLastInProgress` means it. */
function isCreatedOrInProgress(s: StateType): boolean {
  return isCreated(s) || isRunning(s) || isPaused(s) || s === "RETRYING";
}

/** One task after the other: the first, then the one after the last terminated. */
export function resolveSequentialNexts(input: SequencingInput, iteration?: number): NextTaskRun[] {
  const tasks = current(input);
  if (tasks.length === 0 || input.execution.state.current === "KILLING") return [];
  const runs = findTaskRunsByTasks(input.execution, tasks, input.parent);
  // Object.assign: a spread of `t` followed by a new key is many times slower in V8
  const withIteration = (t: ResolvedTask): NextTaskRun =>
    iteration === undefined
      ? t
      : Object.assign<NextTaskRun, ResolvedTask, { iteration: number }>({} as NextTaskRun, t, { iteration });
  if (runs.length === 0) return [withIteration(tasks[0]!)];
  // counted, not searched: the runs of a long ForEach are not walked at every step
  if (countRuns(input.execution, tasks, input.parent, isCreatedOrInProgress) > 0) return [];
  const last = findLastTerminated(runs);
  if (!last) return [];
  const next = tasks[resolvedPosition(tasks, last) + 1];
  return next ? [withIteration(next)] : [];
}

/** The keys (task and value) of the runs of a list, kept while the list only grows. */
const runKeys = new WeakMap<readonly TaskRun[], { length: number; ids: Set<string>; valued: Set<string> }>();

/** Per runs of a resolved list (see `findTaskRunsByTasks`): how many of its first tasks have a run. */
const startedUpTo = new WeakMap<readonly TaskRun[], number>();

/**
 * Whether `runs` (of one parent) hold a run of `t`, as `isTaskRunFor` tells: read run by run when
 * there are few (`findTaskRunsByTasks` then gives a new array at every call: nothing to key a
 * cache on), else by set lookups kept with the array.
 */
function hasRun(runs: readonly TaskRun[], t: ResolvedTask): boolean {
  if (runs.length <= SCANNED) return runs.some((run) => isTaskRunFor(t, run, undefined));
  let keys = runKeys.get(runs);
  if (!keys || keys.length > runs.length) runKeys.set(runs, (keys = { length: 0, ids: new Set(), valued: new Set() }));
  for (; keys.length < runs.length; keys.length++) {
    const run = runs[keys.length]!;
    keys.ids.add(run.taskId);
    if (run.value !== undefined) keys.valued.add(`${run.taskId}\0${run.value}`);
  }
  return t.value === undefined ? keys.ids.has(t.task.id) : keys.valued.has(`${t.task.id}\0${t.value}`);
}

/** Every task at once, up to `concurrency` running (0: no limit). */
export function resolveParallelNexts(
  input: SequencingInput,
  concurrency: number,
  filter?: (candidates: ResolvedTask[], runs: readonly TaskRun[]) => ResolvedTask[],
): NextTaskRun[] {
  if (input.execution.state.current === "KILLING") return [];
  const tasks = current(input);
  if (isSequentialBranch(input, tasks)) return resolveSequentialNexts(input);
  const running = countRuns(input.execution, tasks, input.parent, (s) => isRunning(s) || isCreated(s));
  if (concurrency > 0 && running >= concurrency) return [];
  const runs = findTaskRunsByTasks(input.execution, tasks, input.parent);
  // the tasks before `from` all started: a long list is not walked again at every pass (a short
  // one is walked at most as far as its runs reach)
  const kept = runs.length > SCANNED;
  let from = (kept && startedUpTo.get(runs)) || 0;
  while (from < tasks.length && hasRun(runs, tasks[from]!)) from++;
  if (kept && tasks.length > 0) startedUpTo.set(runs, from);
  const wanted = !filter && concurrency > 0 ? concurrency - running : Infinity;
  const notStarted: ResolvedTask[] = [];
  for (let i = from; i < tasks.length && notStarted.length < wanted; i++)
    if (!hasRun(runs, tasks[i]!)) notStarted.push(tasks[i]!);
  if (notStarted.length === 0) return [];
  const candidates = filter ? filter(notStarted, runs) : notStarted;
  return concurrency > 0 ? candidates.slice(0, concurrency - running) : candidates;
}

/** ForEach with a concurrency limit: up to N value groups at once, each one sequential. */
export function resolveConcurrentNexts(input: SequencingInput, concurrency: number): NextTaskRun[] {
  if (input.execution.state.current === "KILLING") return [];
  const tasks = current(input);
  if (isSequentialBranch(input, tasks)) return resolveSequentialNexts(input);
  const runs = findTaskRunsByTasks(input.execution, tasks, input.parent);
  const groups = new Map<string | undefined, ResolvedTask[]>();
  for (const t of tasks) {
    const group = groups.get(t.value);
    if (group) group.push(t);
    else groups.set(t.value, [t]);
  }
  let active = 0;
  const continuing: NextTaskRun[] = [];
  const fresh: (readonly ResolvedTask[])[] = [];
  const byValue = new Map<string | undefined, TaskRun[]>();
  for (const r of runs) {
    const same = byValue.get(r.value);
    if (same) same.push(r);
    else byValue.set(r.value, [r]);
  }
  for (const [value, group] of groups) {
    // a group's tasks share its value; tasks without one stand for every value
    const candidates = value === undefined ? runs : (byValue.get(value) ?? []);
    const groupRuns = candidates.filter((r) => group.some((t) => isTaskRunFor(t, r, input.parent)));
    if (groupRuns.some((r) => !isTerminated(r.state.current))) {
      active++;
      continue;
    }
    // a group not started begins with its first enabled task; one whose every task ran is done
    if (groupRuns.length === 0) {
      fresh.push(group);
      continue;
    }
    if (groupRuns.length >= group.length) continue;
    const next = resolveSequentialNexts({ ...input, tasks: group, errors: undefined });
    if (next.length === 0) continue;
    active++;
    continuing.push(...next);
  }
  const nexts = [...continuing];
  for (const group of fresh) {
    if (concurrency > 0 && active >= concurrency) break;
    const first = withoutDisabled(group)?.[0];
    if (!first) continue;
    active++;
    nexts.push(first);
  }
  return nexts;
}

/** A Dag: a task starts once every task it depends on is terminated. */
export function resolveDagNexts(
  input: SequencingInput,
  concurrency: number,
  dependsOn: ReadonlyMap<string, readonly string[]>,
): NextTaskRun[] {
  return resolveParallelNexts(input, concurrency, (candidates, runs) => {
    const done = new Set(runs.filter((r) => isTerminated(r.state.current)).map((r) => r.taskId));
    return candidates.filter((c) => (dependsOn.get(c.task.id) ?? []).every((d) => done.has(d)));
  });
}

/**
 * Kestra's `FlowableUtils.resolveState`: once the followed list (tasks or errors) is terminated,
 * the state of the `tasks` list decides; a failure with no errors branch concludes at once.
 */
export function resolveFlowableState(
  input: SequencingInput,
  allowFailure: boolean,
  allowWarning: boolean,
): StateType | undefined {
  if (inProgress(input.execution, input.tasks, input.parent)) return undefined;
  const tasks = current(input);
  if (tasks.length > 0 && tasks.every((t) => t.task.disabled === true)) return "SUCCESS";
  if (tasks.length > 0) {
    if (allTerminated(input.execution, tasks, input.parent)) {
      return guessFinalState(input.execution, input.tasks, input.parent, allowFailure, allowWarning);
    }
  } else if (hasFailed(input.execution, input.tasks, input.parent)) {
    return guessFinalState(input.execution, input.tasks, input.parent, allowFailure, allowWarning);
  } else if (input.tasks.length === 0 || input.tasks.every((t) => t.task.disabled === true)) {
    return "SUCCESS";
  }
  return undefined;
}
