/**
 * The index of a task run list (the working copy of a running execution): lookups by id, parent
 * and task, the position of each run, the runs not terminated and the failed ones, and a log of
 * the runs changed since the list was indexed, from which derived answers (see `groups` in
 * executor/queries.ts, `ChangedRunsMemo`) bring themselves up to date at the cost of the changes
 * only, never of the whole list.
 *
 * The executor only appends to a list (a restart, a replay or a loop's next iteration builds a
 * new one), a run's id, task, parent and value never change, and every other change of a run goes
 * through `markChanged` (the executor's `ExecutorRun` does it): so an index is extended with the
 * runs appended since, and built again when its list was changed otherwise. Weak: it goes with
 * its list.
 */
import { isFailed, isTerminated } from "@saker/sdk";
import type { Execution, TaskRun } from "./execution.ts";

export interface TaskRunIndex {
  /** How many task runs of the list are indexed, and the last of them. */
  length: number;
  last: TaskRun | undefined;
  byId: Map<string, TaskRun>;
  /** The children of each task run (by its id, "" for the root), in creation order. */
  children: Map<string, TaskRun[]>;
  /** The task runs of each task (by its id), in creation order. */
  byTask: Map<string, TaskRun[]>;
  position: Map<TaskRun, number>;
  /** Runs changed (state, outputs, attempts…) since the list was indexed, in order of change; repeats allowed. */
  changes: TaskRun[];
  /** Derived answers kept with this index (dropped with it), by whoever derives them. */
  derived: Map<unknown, unknown>;
  /** Runs not terminated, and the FAILED ones, as of `seenChanges` entries of the log. */
  unfinished: Set<TaskRun>;
  /** `unfinished` in list order, until it changes (a new array then: an answer given is never changed). */
  unfinishedList: readonly TaskRun[] | undefined;
  failed: Set<TaskRun>;
  seenChanges: number;
  /** False once a run joined `unfinished` out of list order (a retry): it is sorted when read. */
  ordered: boolean;
  /** The highest position that joined `unfinished`. */
  maxUnfinished: number;
  /** Counters for tests: runs visited to bring the index up to date, since it was built. */
  visits: number;
}

const indexes = new WeakMap<readonly TaskRun[], TaskRunIndex>();

function emptyIndex(): TaskRunIndex {
  return {
    length: 0,
    last: undefined,
    byId: new Map(),
    children: new Map(),
    byTask: new Map(),
    position: new Map(),
    changes: [],
    derived: new Map(),
    unfinished: new Set(),
    unfinishedList: undefined,
    failed: new Set(),
    seenChanges: 0,
    ordered: true,
    maxUnfinished: -1,
    visits: 0,
  };
}

function track(index: TaskRunIndex, run: TaskRun): void {
  index.visits++;
  // a run without a state (a partial document a caller built) counts as unfinished
  const state = (run.state as TaskRun["state"] | undefined)?.current;
  if (state !== undefined && isTerminated(state)) {
    if (index.unfinished.delete(run)) index.unfinishedList = undefined;
  } else if (!index.unfinished.has(run)) {
    const position = index.position.get(run)!;
    if (position < index.maxUnfinished) index.ordered = false;
    else index.maxUnfinished = position;
    index.unfinished.add(run);
    index.unfinishedList = undefined;
  }
  if (state !== undefined && isFailed(state)) index.failed.add(run);
  else index.failed.delete(run);
}

/** The index of a list, brought up to date with the runs appended and changed since it was read last. */
export function taskRunIndex(list: readonly TaskRun[]): TaskRunIndex {
  let index = indexes.get(list);
  if (!index || index.length > list.length || (index.length > 0 && list[index.length - 1] !== index.last)) {
    index = emptyIndex();
    indexes.set(list, index);
  }
  for (let i = index.length; i < list.length; i++) {
    const run = list[i]!;
    index.byId.set(run.id, run);
    index.position.set(run, i);
    const key = run.parentTaskRunId ?? "";
    const siblings = index.children.get(key);
    if (siblings) siblings.push(run);
    else index.children.set(key, [run]);
    const ofTask = index.byTask.get(run.taskId);
    if (ofTask) ofTask.push(run);
    else index.byTask.set(run.taskId, [run]);
    track(index, run);
  }
  index.length = list.length;
  index.last = list[list.length - 1];
  for (; index.seenChanges < index.changes.length; index.seenChanges++) {
    const run = index.changes[index.seenChanges]!;
    if (index.position.has(run)) track(index, run);
  }
  return index;
}

/**
 * Records that a run of `list` changed in place (its state, outputs, attempts…). A run of a list
 * not indexed yet needs nothing: its index will be built from the runs as they are.
 */
export function markChanged(list: readonly TaskRun[], run: TaskRun): void {
  indexes.get(list)?.changes.push(run);
}

/** The runs not terminated, in list order: the same array while they are the same (not to be changed). */
export function unfinishedRuns(list: readonly TaskRun[]): readonly TaskRun[] {
  const index = taskRunIndex(list);
  if (index.unfinishedList) return index.unfinishedList;
  const runs = [...index.unfinished];
  if (!index.ordered) {
    runs.sort((a, b) => index.position.get(a)! - index.position.get(b)!);
    index.unfinished = new Set(runs);
    index.ordered = true;
  }
  index.unfinishedList = runs;
  return runs;
}

/** The FAILED runs, in list order. */
export function failedRuns(list: readonly TaskRun[]): TaskRun[] {
  const index = taskRunIndex(list);
  if (index.failed.size === 0) return [];
  return [...index.failed].sort((a, b) => index.position.get(a)! - index.position.get(b)!);
}

/**
 * A value derived from each task run that has one (`compute` answers undefined for the others),
 * computed again only for the runs appended or changed since it was last asked for a list.
 */
export class ChangedRunsMemo<T> {
  private readonly key = {};

  constructor(private readonly compute: (run: TaskRun) => T | undefined) {}

  /** The runs that have a value, with it, in list order: the same array while no value changed (not to be changed). */
  entries(list: readonly TaskRun[]): readonly (readonly [TaskRun, T])[] {
    const index = taskRunIndex(list);
    let state = index.derived.get(this.key) as MemoState<T> | undefined;
    if (!state) index.derived.set(this.key, (state = { length: 0, cursor: 0, values: new Map(), sorted: undefined }));
    for (; state.length < index.length; state.length++) this.update(index, state, list[state.length]!);
    for (; state.cursor < index.changes.length; state.cursor++) {
      const run = index.changes[state.cursor]!;
      if (index.position.has(run)) this.update(index, state, run);
    }
    state.sorted ??= [...state.values].sort((a, b) => index.position.get(a[0])! - index.position.get(b[0])!);
    return state.sorted;
  }

  private update(index: TaskRunIndex, state: MemoState<T>, run: TaskRun): void {
    index.visits++;
    const value = this.compute(run);
    if (value === undefined) {
      if (state.values.delete(run)) state.sorted = undefined;
    } else {
      state.values.set(run, value);
      state.sorted = undefined;
    }
  }
}

interface MemoState<T> {
  /** How many runs of the list, and how many entries of the index's change log, were looked at. */
  length: number;
  cursor: number;
  values: Map<TaskRun, T>;
  /** `values` in list order, until one changes. */
  sorted: [TaskRun, T][] | undefined;
}

const TEXTS = Symbol("texts");

/**
 * The JSON text of each run of a list, kept with its index, and the positions whose text changed
 * since `previous`. When `previous` is this function's last answer for the list (the same array,
 * changed in place from call to call), only the runs appended or changed since are serialised
 * again; otherwise every run is, and compared with `previous` (absent: every position changed).
 */
export function runTexts(
  list: readonly TaskRun[],
  previous: readonly string[] | undefined,
): { texts: string[]; changed: number[] } {
  // a new execution's empty list (every insert): nothing to serialise, no index to build for it
  if (list.length === 0) return { texts: [], changed: [] };
  const index = taskRunIndex(list);
  let state = index.derived.get(TEXTS) as { texts: string[]; cursor: number } | undefined;
  if (!state) index.derived.set(TEXTS, (state = { texts: [], cursor: 0 }));
  const known = previous !== undefined && previous === state.texts;
  const changed = new Set<number>();
  for (let i = known ? state.texts.length : 0; i < index.length; i++) changed.add(i);
  for (; state.cursor < index.changes.length; state.cursor++) {
    const position = index.position.get(index.changes[state.cursor]!);
    if (position !== undefined) changed.add(position);
  }
  const before = known ? state.texts : previous;
  const positions: number[] = [];
  for (const i of changed) {
    index.visits++;
    const text = JSON.stringify(list[i]);
    if (before?.[i] !== text) positions.push(i);
    state.texts[i] = text;
  }
  state.texts.length = index.length;
  return { texts: state.texts, changed: positions.sort((a, b) => a - b) };
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
