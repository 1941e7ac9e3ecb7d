/**
 * The task-level steps of a pass: create the next task runs, conclude flowables whose children
 * are done, and dispatch created task runs (runIf, flowables, executor tasks, worker jobs).
 */
import { secretInputIdsOf } from "../model/flow.ts";
import { assetsInOut } from "../model/assets.ts";
import { errorMessage, isCreated, isRunning, isTerminated, type StateType } from "@saker/sdk";
import { isTruthy } from "../expression/index.ts";
import type { TaskNode, TaskRun } from "../model/execution.ts";
import type { ContinueLater, FlowableDefinition, NextTaskRun } from "../plugins/engineTypes.ts";
import type { ExecutorRun } from "./executorRun.ts";
import { exitExecution, replaceVariables } from "./executionUpdates.ts";
import type { WorkerJob, WorkingDirectorySetup } from "./types.ts";
import { rootTasks } from "./lifecycle.ts";
import { taskRunIndex, unfinishedRuns, findParents } from "../model/taskRunIndex.ts";
import { allTerminated, findTaskDependingFlowState } from "./queries.ts";
import { resolveFlowableState, resolveSequentialNexts } from "./sequencing.ts";
import { referencedVariables, taskRunVariables } from "./variables.ts";

/** Creates the next task runs; a promise only when it waits (task runs created, a flowable asked). */
export function handleNexts(run: ExecutorRun): Promise<void> | void {
  const x = run.x;
  const s = x.state.current;
  if (s === "KILLING" || s === "KILLED" || s === "QUEUED" || s === "CANCELLED") return;
  const retryOf = (id: string) => run.graph.retryOf(id);
  const flow = run.graph.flow;
  if (isTerminated(s)) {
    const after = rootTasks(flow.afterExecution);
    if (!after.length) return;
    const nexts = resolveSequentialNexts({ execution: x, tasks: after, errors: undefined, parent: undefined, retryOf });
    return nexts.length ? run.addTaskRuns(nexts).then(() => undefined) : undefined;
  }
  const nexts = resolveSequentialNexts({
    execution: x,
    tasks: rootTasks(flow.tasks),
    errors: rootTasks(flow.errors),
    parent: undefined,
    retryOf,
  });
  // the task runs just created are CREATED: the running flowables are those running before
  if (!nexts.length && !runningFlowable(run)) return;
  return nextsOfFlowables(run, nexts);
}

async function nextsOfFlowables(run: ExecutorRun, nexts: NextTaskRun[]): Promise<void> {
  if (nexts.length) await run.addTaskRuns(nexts);
  for (const taskRun of unfinishedRuns(run.x.taskRunList)) {
    if (!isRunning(taskRun.state.current)) continue;
    const definition = run.definitionOf(taskRun);
    if (definition.kind !== "flowable") continue;
    try {
      await run.addTaskRuns(await definition.resolveNexts(run.context(run.task(taskRun), taskRun)));
    } catch (error) {
      failFromExecutor(run, taskRun, `Unable to resolve the next tasks to run: ${errorMessage(error)}`);
    }
  }
}

/** Whether a flowable task run is running (it may create task runs, or conclude). */
function runningFlowable(run: ExecutorRun): boolean {
  for (const taskRun of unfinishedRuns(run.x.taskRunList))
    if (isRunning(taskRun.state.current) && run.definitionOf(taskRun).kind === "flowable") return true;
  return false;
}

function isContinueLater(value: unknown): value is ContinueLater {
  return typeof value === "object" && value !== null && "continueAt" in value;
}

async function defaultState(
  run: ExecutorRun,
  definition: FlowableDefinition,
  taskRun: TaskRun,
): Promise<StateType | undefined> {
  const task = run.task(taskRun);
  const ctx = run.context(task, taskRun);
  const tasks = (await definition.childTasks(ctx)) ?? [];
  const errors = ctx.resolve(definition.errorTasks?.(task) ?? (task.errors as never));
  return resolveFlowableState(
    {
      execution: run.x,
      tasks,
      errors,
      finally: ctx.resolve(task.finally as never),
      parent: taskRun,
      retryOf: ctx.retryOf,
    },
    task.allowFailure === true,
    task.allowWarning === true,
  );
}

/** Concludes running flowables whose children allow it; propagates KILLING to them. A promise only when one runs. */
export function handleFlowableStates(run: ExecutorRun): Promise<void> | void {
  if (runningFlowable(run)) return flowableStates(run);
}

async function flowableStates(run: ExecutorRun): Promise<void> {
  for (const taskRun of unfinishedRuns(run.x.taskRunList)) {
    if (!isRunning(taskRun.state.current)) continue;
    const definition = run.definitionOf(taskRun);
    if (definition.kind !== "flowable") continue;
    const task = run.task(taskRun);
    const ctx = run.context(task, taskRun);
    let result: StateType | ContinueLater | undefined;
    try {
      result = definition.resolveState
        ? await definition.resolveState(ctx)
        : await defaultState(run, definition, taskRun);
    } catch (error) {
      run.log("ERROR", `Unable to resolve state from the Flowable task: ${errorMessage(error)}`, taskRun);
      result = "FAILED";
    }
    if (isContinueLater(result)) {
      run.setOutputs(taskRun, result.outputs);
      run.setTaskRunState(taskRun, "PAUSED");
      run.setExecutionState("PAUSED");
      run.command({
        type: "delay",
        delay: { kind: "CONTINUE_FLOWABLE", taskRunId: taskRun.id, state: "RUNNING", at: result.continueAt },
      });
    } else if (result !== undefined) {
      if (isTerminated(result)) {
        try {
          run.setOutputs(taskRun, (await definition.computeOutputs?.(ctx)) ?? taskRun.outputs ?? {});
        } catch (error) {
          run.log("ERROR", `Unable to resolve outputs from the Flowable task: ${errorMessage(error)}`, taskRun);
        }
      }
      run.setTaskRunState(taskRun, result);
      if (result === "PAUSED") await handlePaused(run, definition, taskRun);
    } else if (run.x.state.current === "KILLING") {
      await killFlowable(run, definition, taskRun);
    }
  }
}

async function handlePaused(run: ExecutorRun, definition: FlowableDefinition, taskRun: TaskRun): Promise<void> {
  run.setExecutionState("PAUSED");
  const delay = await definition.pauseDelay?.(run.context(run.task(taskRun), taskRun));
  if (delay)
    run.command({
      type: "delay",
      delay: { kind: "RESUME_FLOW", taskRunId: taskRun.id, state: delay.state, at: delay.at },
    });
}

async function killFlowable(run: ExecutorRun, definition: FlowableDefinition, taskRun: TaskRun): Promise<void> {
  if (taskRun.state.current !== "KILLING") {
    run.setTaskRunState(taskRun, "KILLING");
    return;
  }
  const task = run.task(taskRun);
  const ctx = run.context(task, taskRun);
  const tasks = (await definition.childTasks(ctx).catch(() => undefined)) ?? [];
  const current = findTaskDependingFlowState(run.x, tasks, ctx.resolve(task.errors as never), taskRun, ctx.retryOf);
  const children = taskRunIndex(run.x.taskRunList).children.get(taskRun.id) ?? [];
  if (children.every((t) => isTerminated(t.state.current)) || allTerminated(run.x, current, taskRun))
    run.setTaskRunState(taskRun, "KILLED");
}

/** A task run the executor cannot handle fails with a log line, as Kestra's `failedExecutionFromExecutor`. */
export function failFromExecutor(run: ExecutorRun, taskRun: TaskRun, message: string): void {
  run.log("ERROR", message, taskRun);
  run.setLastAttemptState(taskRun, "FAILED");
  run.setTaskRunState(taskRun, "FAILED");
}

/**
 * Sends each created task run where it runs: flowables start here, runnables go to a worker.
 * Only a worker task run stays CREATED once sent (until the worker starts it), so only those are
 * remembered as dispatched; a flowable or executor task run leaves CREATED in this very step, and a
 * CREATED one is always new work (a retry, a loop's next iteration), never to be skipped.
 */
export function handleDispatch(run: ExecutorRun): Promise<void> | void {
  if (run.x.state.current === "KILLING" || run.x.state.current === "KILLED") return;
  return dispatchFrom(run, unfinishedRuns(run.x.taskRunList), 0);
}

/**
 * Dispatches the created task runs of `runs` from `from` on: at once, unless one has a condition
 * or assets to render or is an executor task; a promise from that one on.
 */
function dispatchFrom(run: ExecutorRun, runs: readonly TaskRun[], from: number): Promise<void> | void {
  for (let i = from; i < runs.length; i++) {
    const taskRun = runs[i]!;
    if (!isCreated(taskRun.state.current)) continue;
    const definition = run.definitionOf(taskRun);
    if (definition.kind === "task") {
      const key = `${taskRun.id}:${taskRun.attempts?.length ?? 0}`;
      if (run.dispatched.has(key)) continue;
      run.dispatched.add(key);
    }
    run.version++;
    if (definition.kind === "executor" || !dispatchesAtOnce(run.task(taskRun)))
      return dispatchOne(run, taskRun, definition.kind).then(() => dispatchFrom(run, runs, i + 1));
    if (definition.kind === "flowable") run.setTaskRunState(taskRun, "RUNNING");
    else if (definition.kind === "task") sendToWorker(run, taskRun);
  }
}

/** A task without a condition (runIf) or assets to render. */
function dispatchesAtOnce(task: TaskNode): boolean {
  return !hasCondition(task) && !hasAssets(task);
}

/** A runIf other than the literal `true` (which Kestra treats as none). */
function hasCondition(task: TaskNode): boolean {
  const runIf = task.runIf;
  return runIf !== undefined && runIf !== null && String(runIf).trim() !== "true";
}

function hasAssets(task: TaskNode): boolean {
  return task.assets !== undefined && task.assets !== null;
}

async function dispatchOne(run: ExecutorRun, taskRun: TaskRun, kind: string): Promise<void> {
  if (!(await passesRunIf(run, taskRun))) return;
  if (!(await declareAssets(run, taskRun))) return;
  if (kind === "flowable") run.setTaskRunState(taskRun, "RUNNING");
  else if (kind === "executor") await runExecutorTask(run, taskRun);
  else if (kind === "task") sendToWorker(run, taskRun);
}

/** Renders the task's `assets` onto its task run; a declaration that does not render to valid assets fails the task run. */
async function declareAssets(run: ExecutorRun, taskRun: TaskRun): Promise<boolean> {
  const task = run.task(taskRun);
  if (!hasAssets(task)) return true;
  try {
    const only = referencedVariables(task);
    taskRun.assets = assetsInOut(await run.deps.renderValue(task.assets, run.variables(task, taskRun, true, only)));
    run.touch(taskRun);
    return true;
  } catch (error) {
    run.log("ERROR", `Invalid assets for task ${task.id}: ${errorMessage(error)}`, taskRun);
    run.setTaskRunState(taskRun, "FAILED");
    return false;
  }
}

async function passesRunIf(run: ExecutorRun, taskRun: TaskRun): Promise<boolean> {
  const task = run.task(taskRun);
  if (!hasCondition(task)) return true;
  try {
    const only = referencedVariables(task);
    const rendered = await run.deps.render(String(task.runIf), run.variables(task, taskRun, true, only), false);
    if (isTruthy(rendered)) return true;
    run.setTaskRunState(taskRun, "SKIPPED");
  } catch (error) {
    run.log("ERROR", `Unable to evaluate the runIf condition for task ${task.id}: ${errorMessage(error)}`, taskRun);
    run.setTaskRunState(taskRun, "FAILED");
  }
  return false;
}

async function runExecutorTask(run: ExecutorRun, taskRun: TaskRun): Promise<void> {
  const task = run.task(taskRun);
  const definition = run.graph.typeOf(task).definition;
  if (definition.kind !== "executor") return;
  // A retry is a new attempt (Kestra adds one per subflow result), the first one is made when it ends.
  if (taskRun.attempts?.length) run.startAttempt(taskRun);
  run.setTaskRunState(taskRun, "RUNNING");
  try {
    const outcome = await definition.execute(run.context(task, taskRun));
    if (outcome.labels) {
      run.x.labels = run.seal(outcome.labels);
      run.version++;
    }
    for (const request of outcome.subflows ?? []) {
      run.command({ type: "create-subflow", parentTaskRunId: taskRun.id, taskId: task.id, request });
    }
    if (outcome.variables) replaceVariables(run, outcome.variables);
    if (outcome.outputs) run.setOutputs(taskRun, outcome.outputs);
    if (isTerminated(outcome.state)) run.setLastAttemptState(taskRun, outcome.state);
    run.setTaskRunState(taskRun, outcome.state);
    if (outcome.exit) exitExecution(run, taskRun, outcome.exit);
  } catch (error) {
    failFromExecutor(run, taskRun, errorMessage(error));
  }
}

/** The nearest WorkingDirectory around a task run: its task run id and what it asks of the directory. */
function workingDirectoryOf(
  run: ExecutorRun,
  taskRun: TaskRun,
): { id: string; setup: WorkingDirectorySetup } | undefined {
  for (const parent of findParents(run.x, taskRun).reverse()) {
    const definition = run.definitionOf(parent);
    if (definition.kind !== "flowable" || !definition.workingDirectory) continue;
    const node = run.task(parent);
    const setup: WorkingDirectorySetup = {};
    if (node.inputFiles !== undefined) setup.inputFiles = node.inputFiles as WorkingDirectorySetup["inputFiles"];
    if (node.namespaceFiles && typeof node.namespaceFiles === "object")
      setup.namespaceFiles = node.namespaceFiles as WorkingDirectorySetup["namespaceFiles"];
    if (Array.isArray(node.outputFiles)) setup.outputFiles = node.outputFiles.map(String);
    return { id: parent.id, setup };
  }
  return undefined;
}

/**
 * A task inside a WorkingDirectory sees the WorkingDirectory's task run as `workerTaskrun` and its
 * value as `taskrun.value` (the iteration of an enclosing ForEach), as Kestra's worker does; its
 * own task run keeps none, so its outputs are addressed as any other child's.
 */
function withWorkingDirectory(
  run: ExecutorRun,
  variables: Record<string, unknown>,
  taskRun: TaskRun,
  workingDirectoryId: string | undefined,
): Record<string, unknown> {
  const workingDirectory = workingDirectoryId ? run.taskRun(workingDirectoryId) : undefined;
  if (!workingDirectory) return variables;
  const value = workingDirectory.value;
  const taskrun =
    value === undefined || taskRun.value !== undefined
      ? variables.taskrun
      : { ...(variables.taskrun as Record<string, unknown>), value };
  return { ...variables, taskrun, workerTaskrun: taskRunVariables(workingDirectory) };
}

function sendToWorker(run: ExecutorRun, taskRun: TaskRun): void {
  const task = run.task(taskRun);
  const type = run.graph.typeOf(task);
  const flow = run.graph.flow;
  const workingDirectory = workingDirectoryOf(run, taskRun);
  const secretIds = secretInputIdsOf(flow.inputs);
  // the job carries the outputs and task states its texts can reach, not every task's
  const only = referencedVariables(task, workingDirectory?.setup);
  const jobFlow: WorkerJob["flow"] = { id: flow.id, namespace: flow.namespace, revision: run.x.flowRevision };
  if (flow.tenantId) jobFlow.tenantId = flow.tenantId;
  const job: WorkerJob = {
    executionId: run.x.id,
    taskRunId: taskRun.id,
    attempt: (taskRun.attempts?.length ?? 0) + 1,
    flow: jobFlow,
    task,
    variables: withWorkingDirectory(run, run.variables(task, taskRun, false, only), taskRun, workingDirectory?.id),
    pluginVersion: taskRun.pluginVersion ?? `${type.plugin.name}@${type.plugin.version}`,
  };
  if (secretIds.length) job.secretInputs = secretIds;
  if (workingDirectory) {
    job.workingDirectoryId = workingDirectory.id;
    job.workingDirectory = workingDirectory.setup;
  }
  run.command({ type: "run-task", job });
}
