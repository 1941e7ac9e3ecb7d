/**
 * Applies one incoming event (a worker result, a fired delay, a kill or resume request…) to the
 * working copy, before the pass runs.
 */
import { errorMessage, isCreated, isPaused, isTerminated, type StateType } from "@saker/sdk";
import type { TaskRun, TaskRunAttempt } from "../model/execution.ts";
import { newState, summarise } from "../model/state.ts";
import type { ExecutorRun } from "./executorRun.ts";
import { unfinishedRuns, findParents } from "../model/taskRunIndex.ts";
import { maxDurationReached } from "./sla.ts";
import { failFromExecutor } from "./taskSteps.ts";
import type { ExecutorEvent, ExecutorEvents } from "./types.ts";

/** A promise only for an event whose handling waits (a Subflow's end): most are applied at once. */
export function applyEvent(run: ExecutorRun, event: ExecutorEvent): Promise<void> | void {
  switch (event.type) {
    case "process":
      return;
    case "worker-started":
      return workerStarted(run, event);
    case "worker-result":
      return workerResult(run, event);
    case "delay-fired":
      return delayFired(run, event);
    case "kill-requested":
      return kill(run);
    case "resume-requested":
      return resume(run, "RUNNING", event.onResumeInputs);
    case "subflow-ended":
      return subflowEnded(run, event);
    case "subflow-failed": {
      const taskRun = run.taskRun(event.taskRunId);
      if (taskRun && !isTerminated(taskRun.state.current)) failFromExecutor(run, taskRun, event.message);
      return;
    }
    case "concurrency-released":
      if (run.x.state.current === "QUEUED") run.setExecutionState("RUNNING");
      return;
  }
}

function workerStarted(run: ExecutorRun, event: ExecutorEvents["worker-started"]): void {
  const taskRun = run.taskRun(event.taskRunId);
  if (!taskRun || !isCreated(taskRun.state.current)) return;
  const attempts = taskRun.attempts ?? [];
  if (attempts.length !== event.attempt - 1) return;
  const attempt: TaskRunAttempt = { state: newState(new Date(event.date), "RUNNING") };
  if (event.workerId) attempt.workerId = event.workerId;
  attempts.push(attempt);
  taskRun.attempts = attempts;
  if (event.pluginVersion) taskRun.pluginVersion = event.pluginVersion;
  run.touch(taskRun);
  run.setTaskRunState(taskRun, "RUNNING");
  if (run.x.state.current === "KILLING") run.command({ type: "kill-tasks" });
}

function workerResult(run: ExecutorRun, event: ExecutorEvents["worker-result"]): void {
  const taskRun = run.taskRun(event.taskRunId);
  if (!taskRun || isTerminated(taskRun.state.current)) return;
  const attempts = taskRun.attempts ?? (taskRun.attempts = []);
  if (attempts.length === event.attempt - 1) {
    attempts.push({ state: newState(new Date(event.date), "RUNNING") });
    run.touch(taskRun);
  }
  const attempt = attempts[event.attempt - 1];
  if (!attempt || attempts.length !== event.attempt || isTerminated(attempt.state.current)) return;
  run.setLastAttemptState(taskRun, event.attemptState);
  if (event.outputs !== undefined) run.setOutputs(taskRun, event.outputs);
  if (event.workingDirectoryFiles) addWorkingDirectoryFiles(run, taskRun, event.workingDirectoryFiles);
  run.setTaskRunState(taskRun, event.state);
  if (event.state === "KILLED") {
    for (const parent of findParents(run.x, taskRun))
      if (!isTerminated(parent.state.current)) run.setTaskRunState(parent, "KILLED");
  }
}

/** Files a WorkingDirectory child uploaded (`outputFiles`) join the WorkingDirectory's outputs. */
function addWorkingDirectoryFiles(run: ExecutorRun, taskRun: TaskRun, files: Record<string, string>): void {
  const wd = findParents(run.x, taskRun)
    .reverse()
    .find((parent) => {
      const definition = run.definitionOf(parent);
      return definition.kind === "flowable" && definition.workingDirectory;
    });
  if (!wd) return;
  const outputs = (wd.outputs ?? {}) as Record<string, unknown>;
  run.setOutputs(wd, {
    ...outputs,
    outputFiles: Object.assign({}, outputs.outputFiles as Record<string, string> | undefined, files),
  });
}

function delayFired(run: ExecutorRun, { delay }: ExecutorEvents["delay-fired"]): void {
  const taskRun = run.taskRun(delay.taskRunId);
  switch (delay.kind) {
    case "RESUME_FLOW":
      if (!delay.taskRunId) {
        if (run.x.state.current === "CREATED") run.setExecutionState(delay.state);
      } else if (taskRun && isPaused(taskRun.state.current)) {
        markAs(run, taskRun, delay.state);
      }
      return;
    case "RESTART_FAILED_TASK":
      if (taskRun?.state.current === "RETRYING") {
        run.setTaskRunState(taskRun, "CREATED");
        run.setExecutionState("RUNNING");
      }
      return;
    case "CONTINUE_FLOWABLE":
      if (taskRun && isPaused(taskRun.state.current)) continueLoop(run, taskRun);
      return;
    case "RESTART_FAILED_FLOW":
      if (run.x.state.current === "RETRIED") run.command({ type: "replay", execution: run.x });
      return;
    case "SLA_MAX_DURATION":
      maxDurationReached(run, delay.sla);
      return;
  }
}

/** A loop runs its children again: they are removed, the iteration goes up. */
function continueLoop(run: ExecutorRun, taskRun: TaskRun): void {
  const first = taskRun.state.histories[0]!;
  taskRun.state = summarise("CREATED", [first]);
  delete taskRun.attempts;
  taskRun.iteration = (taskRun.iteration ?? 1) + 1;
  const children = new Set<string>();
  for (const t of run.x.taskRunList)
    if (t.parentTaskRunId === taskRun.id || (t.parentTaskRunId && children.has(t.parentTaskRunId))) children.add(t.id);
  // a new list: its index is built from the runs as they are now
  run.x.taskRunList = run.x.taskRunList.filter((t) => !children.has(t.id));
  run.touch(taskRun);
  run.setExecutionState("RUNNING");
}

/**
 * Kestra's `markAs`: the task run takes `state`, its flowable ancestors go back to RUNNING, and
 * the execution is RESTARTED once nothing else is paused.
 */
export function markAs(
  run: ExecutorRun,
  taskRun: TaskRun,
  state: StateType,
  onResumeInputs?: Record<string, unknown>,
): void {
  for (const ancestor of findParents(run.x, taskRun)) {
    if (run.definitionOf(ancestor).kind === "flowable") run.setTaskRunState(ancestor, "RUNNING");
    else run.setTaskRunState(ancestor, state);
  }
  const definition = run.definitionOf(taskRun);
  let next = state;
  if (definition.kind === "flowable" && definition.resumed) {
    const resumed = definition.resumed(run.task(taskRun), state, onResumeInputs);
    if (resumed.outputs) run.setOutputs(taskRun, resumed.outputs);
    next = resumed.state;
  }
  if (taskRun.attempts?.length) run.setLastAttemptState(taskRun, next);
  run.setTaskRunState(taskRun, next);
  if (unfinishedRuns(run.x.taskRunList).some((t) => isPaused(t.state.current))) return;
  run.setExecutionState("RESTARTED");
}

function resume(run: ExecutorRun, state: StateType, onResumeInputs?: Record<string, unknown>): void {
  const paused = unfinishedRuns(run.x.taskRunList).find((t) => isPaused(t.state.current));
  if (paused) markAs(run, paused, state, onResumeInputs);
  else if (isPaused(run.x.state.current)) run.setExecutionState(state);
}

function kill(run: ExecutorRun): void {
  const s = run.x.state.current;
  if (s === "KILLING" || isTerminated(s)) return;
  run.setExecutionState("KILLING");
  run.command({ type: "kill-tasks" });
  run.command({ type: "kill-subflows" });
}

async function subflowEnded(run: ExecutorRun, event: ExecutorEvents["subflow-ended"]): Promise<void> {
  const taskRun = run.taskRun(event.taskRunId);
  if (!taskRun || isTerminated(taskRun.state.current)) return;
  const definition = run.definitionOf(taskRun);
  if (definition.kind !== "executor" || !definition.onSubflowEnded) return;
  try {
    const result = await definition.onSubflowEnded(run.context(run.task(taskRun), taskRun), event.child);
    if (!result) return;
    run.setOutputs(taskRun, result.outputs);
    if (isTerminated(result.state)) run.setLastAttemptState(taskRun, result.state);
    run.setTaskRunState(taskRun, result.state);
  } catch (error) {
    failFromExecutor(run, taskRun, errorMessage(error));
  }
}
