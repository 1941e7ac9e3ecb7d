/**
 * Which task runs a flowable creates next, and when it is done: Kestra's `FlowableUtils`.
 * A paused child counts as in progress (Kestra relies on deduplication for that case).
 */
import { isCreated, isRunning, isTerminated, type StateType } from "@saker/sdk";
import type { Execution, ResolvedTask, TaskRun } from "../model/execution.ts";
import type { RetryPolicy } from "../model/retry.ts";
import type { NextTaskRun } from "../plugins/engineTypes.ts";
import {
  allTerminated,
  findLastCreated,
  findLastInProgress,
  findLastTerminated,
  findTaskDependingFlowState,
  findTaskRunsByTasks,
  guessFinalState,
  hasFailed,
  inProgress,
  isTaskRunFor,
} from "./queries.ts";

export interface SequencingInput {
  execution: Execution;
  tasks: readonly ResolvedTask[];
  errors: readonly ResolvedTask[] | undefined;
  parent: TaskRun | undefined;
  retryOf: (taskId: string) => RetryPolicy | undefined;
}

function current(input: SequencingInput): readonly ResolvedTask[] {
  return findTaskDependingFlowState(input.execution, input.tasks, input.errors, input.parent, input.retryOf);
}

/** One task after the other: the first, then the one after the last terminated. */
export function resolveSequentialNexts(input: SequencingInput, iteration?: number): NextTaskRun[] {
  const tasks = current(input);
  if (tasks.length === 0 || input.execution.state.current === "KILLING") return [];
  const runs = findTaskRunsByTasks(input.execution, tasks, input.parent);
  const withIteration = (t: ResolvedTask): NextTaskRun => (iteration === undefined ? t : { ...t, iteration });
  if (runs.length === 0) return [withIteration(tasks[0]!)];
  if (findLastCreated(runs) || findLastInProgress(runs)) return [];
  const last = findLastTerminated(runs);
  if (!last) return [];
  const index = tasks.findIndex((t) => isTaskRunFor(t, last, input.parent));
  const next = tasks[index + 1];
  return next ? [withIteration(next)] : [];
}

/** Every task at once, up to `concurrency` running (0: no limit). */
export function resolveParallelNexts(
  input: SequencingInput,
  concurrency: number,
  filter: (candidates: ResolvedTask[], runs: readonly TaskRun[]) => ResolvedTask[] = (c) => c,
): NextTaskRun[] {
  if (input.execution.state.current === "KILLING") return [];
  const tasks = current(input);
  const runs = findTaskRunsByTasks(input.execution, tasks, input.parent);
  const running = runs.filter((t) => isRunning(t.state.current) || isCreated(t.state.current)).length;
  if (concurrency > 0 && running >= concurrency) return [];
  const notStarted = tasks.filter((t) => !runs.some((r) => isTaskRunFor(t, r, input.parent)));
  if (notStarted.length === 0) return [];
  const candidates = filter(notStarted, runs);
  return concurrency > 0 ? candidates.slice(0, concurrency - running) : candidates;
}

/** ForEach with a concurrency limit: up to N value groups at once, each one sequential. */
export function resolveConcurrentNexts(input: SequencingInput, concurrency: number): NextTaskRun[] {
  if (input.execution.state.current === "KILLING") return [];
  const tasks = current(input);
  const runs = findTaskRunsByTasks(input.execution, tasks, input.parent);
  const groups = new Map<string | undefined, ResolvedTask[]>();
  for (const t of tasks) groups.set(t.value, [...(groups.get(t.value) ?? []), t]);
  let active = 0;
  const continuing: NextTaskRun[] = [];
  const fresh: NextTaskRun[][] = [];
  for (const group of groups.values()) {
    const groupRuns = runs.filter((r) => group.some((t) => isTaskRunFor(t, r, input.parent)));
    if (groupRuns.some((r) => !isTerminated(r.state.current))) {
      active++;
      continue;
    }
    const next = resolveSequentialNexts({ ...input, tasks: group, errors: undefined });
    if (next.length === 0) continue;
    if (groupRuns.length > 0) {
      active++;
      continuing.push(...next);
    } else fresh.push(next);
  }
  const nexts = [...continuing];
  for (const next of fresh) {
    if (concurrency > 0 && active >= concurrency) break;
    active++;
    nexts.push(...next);
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
