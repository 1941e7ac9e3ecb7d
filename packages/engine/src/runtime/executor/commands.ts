/**
 * What the executor does with the commands of a step (`transition`'s output): worker jobs, delays,
 * child executions (Subflow, ForEachItem, restarts), kills, replays; and the messages of an
 * execution that ended. Writes nothing itself: it fills the step's effects, committed with it.
 */
import { errorMessage, isFailed, isSakerError } from "@saker/sdk";
import { replayExecution } from "../../executor/actions.ts";
import type { TransitionResult } from "../../executor/transition.ts";
import type { ExecutorCommand, LogEntry } from "../../executor/types.ts";
import type { Execution } from "../../model/execution.ts";
import type { FlowGraph } from "../../flow/flowGraph.ts";
import { friendlyId } from "../../model/ids.ts";
import type { SubflowRequest } from "../../plugins/engineTypes.ts";
import type { Backend } from "../../backend/backend.ts";
import type { NewMessage } from "../../backend/queue.ts";
import type { StoredExecution } from "../../backend/records.ts";
import { isDiskFull } from "../../storage/diskFull.ts";
import { processMessage } from "../admission.ts";
import { ROLE_TOPICS, type RoleContext } from "../roleContext.ts";

/** Log lines written with a step, and work done once it committed. */
export interface StepEffects {
  outgoing: NewMessage[];
  inserts: StoredExecution[];
  logs: LogEntry[];
  afterCommit: (() => Promise<void>)[];
}

export async function handleCommand(
  ctx: RoleContext,
  command: ExecutorCommand,
  result: TransitionResult,
  graph: FlowGraph,
  effects: StepEffects,
): Promise<void> {
  const { backend } = ctx;
  const { outgoing, inserts, afterCommit } = effects;
  const x = result.execution;
  switch (command.type) {
    case "run-task":
      outgoing.push({ topic: "worker", key: x.id, payload: command.job });
      return;
    case "delay":
      outgoing.push({
        topic: "executor",
        key: x.id,
        payload: { type: "delay-fired", delay: command.delay },
        availableAt: command.delay.at,
      });
      return;
    case "create-subflow":
      return createSubflow(ctx, x, command.parentTaskRunId, command.taskId, command.request, effects);
    case "kill-tasks":
      afterCommit.push(async () => {
        await backend.queue.dropPending("worker", x.id);
        backend.notifier.notify(ROLE_TOPICS.killTasks, x.id);
      });
      return;
    case "kill-subflows":
      for (const childId of await backend.executions.childIds(x.id))
        outgoing.push({ topic: "executor", key: childId, payload: { type: "kill-requested" } });
      return;
    case "remove-working-directory":
      afterCommit.push(async () =>
        backend.notifier.notify(ROLE_TOPICS.removeWorkingDirectory, command.workingDirectoryId),
      );
      return;
    case "replay": {
      const replay = replayExecution(graph, command.execution, new Date(), friendlyId);
      const parent = await backend.executions.get(x.id);
      inserts.push({
        execution: replay.execution,
        executorState: replay.state,
        finished: false,
        ...(parent?.parentExecutionId
          ? { parentExecutionId: parent.parentExecutionId, parentTaskRunId: parent.parentTaskRunId! }
          : {}),
      });
      outgoing.push(processMessage(replay.execution.id));
      return;
    }
  }
}

async function createSubflow(
  ctx: RoleContext,
  parent: Execution,
  parentTaskRunId: string,
  taskId: string,
  request: SubflowRequest,
  effects: StepEffects,
): Promise<void> {
  const { flows, admission } = ctx;
  const { outgoing, inserts } = effects;
  const previous =
    request.restartOf ??
    (request.restartIteration ? await childOfIteration(ctx, parent.id, parentTaskRunId, request.iteration) : undefined);
  if (previous !== undefined && (await restartSubflow(ctx, parent, parentTaskRunId, taskId, previous, effects))) return;
  if (request.restartOf !== undefined) {
    // the child is gone, or belongs to the execution this one was restarted from (another revision): a new one
    request = { ...request, executionId: friendlyId() };
    delete request.restartOf;
  }
  try {
    const loaded = flows.get(request.namespace, request.flowId, request.revision);
    const child = await admission.buildExecution(loaded.flow, {
      id: request.executionId,
      inputs: request.inputs,
      labels: request.labels,
      trigger: {
        id: taskId,
        type: "io.kestra.plugin.core.flow.Subflow",
        variables: {
          executionId: parent.id,
          namespace: parent.namespace,
          flowId: parent.flowId,
          flowRevision: parent.flowRevision,
          // ForEachItem: which batch, and which task run started it (its merge reads them back).
          ...(request.iteration !== undefined ? { iteration: request.iteration, taskRunId: parentTaskRunId } : {}),
        },
      },
      ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
    });
    inserts.push({
      execution: child,
      executorState: { dispatched: [] },
      finished: false,
      ...(request.wait ? { parentExecutionId: parent.id, parentTaskRunId } : { parentExecutionId: parent.id }),
    });
    outgoing.push(processMessage(child.id));
    effects.logs.push(
      subflowLog(
        parent,
        taskId,
        parentTaskRunId,
        `Created new execution [[link execution="${child.id}" flowId="${child.flowId}" namespace="${child.namespace}"]]`,
      ),
    );
  } catch (error) {
    if (isDiskFull(error)) throw error;
    outgoing.push({
      topic: "executor",
      key: parent.id,
      payload: {
        type: "subflow-failed",
        taskRunId: parentTaskRunId,
        message: isSakerError(error) ? error.message : errorMessage(error),
      },
    });
  }
}

/** The child a ForEachItem task run started for one batch (`iteration`), if any. */
async function childOfIteration(
  ctx: RoleContext,
  parentId: string,
  parentTaskRunId: string,
  iteration: number | undefined,
): Promise<string | undefined> {
  const executions = ctx.backend.executions;
  for (const id of await executions.childIds(parentId)) {
    const stored = await executions.get(id);
    if (stored?.parentTaskRunId === parentTaskRunId && stored.execution.trigger?.variables?.iteration === iteration)
      return id;
  }
  return undefined;
}

/**
 * A restarted Subflow or ForEachItem (RETRY_FAILED) and a child it started before: a failed child is
 * restarted (once this pass is committed) and reports to the same task run when it ends; a child
 * that did not fail reports its result again now. False when there is no such child any more.
 */
async function restartSubflow(
  ctx: RoleContext,
  parent: Execution,
  parentTaskRunId: string,
  taskId: string,
  childId: string,
  effects: StepEffects,
): Promise<boolean> {
  const { backend, admission } = ctx;
  const stored = await backend.executions.get(childId);
  if (
    !stored ||
    stored.execution.deleted ||
    stored.parentExecutionId !== parent.id ||
    stored.parentTaskRunId !== parentTaskRunId
  )
    return false;
  const child = stored.execution;
  if (!isFailed(child.state.current)) {
    effects.outgoing.push({
      topic: "executor",
      key: parent.id,
      payload: { type: "subflow-ended", taskRunId: parentTaskRunId, child },
    });
    return true;
  }
  effects.afterCommit.push(async () => {
    try {
      await admission.restart(child.id);
      const line = `Restarted execution [[link execution="${child.id}" flowId="${child.flowId}" namespace="${child.namespace}"]]`;
      const log = subflowLog(parent, taskId, parentTaskRunId, line);
      await backend.logs.append([log]);
    } catch (error) {
      await admission.signal(parent.id, {
        type: "subflow-failed",
        taskRunId: parentTaskRunId,
        message: `Unable to restart execution '${child.id}': ${errorMessage(error)}`,
      });
    }
  });
  return true;
}

/** A log line on the task run of a Subflow (or ForEachItem) in its parent execution. */
function subflowLog(parent: Execution, taskId: string, taskRunId: string, message: string): LogEntry {
  return {
    namespace: parent.namespace,
    flowId: parent.flowId,
    executionId: parent.id,
    taskId,
    taskRunId,
    level: "INFO",
    message,
    timestamp: new Date().toISOString(),
  };
}

/**
 * The messages of an execution that ended: to its parent (Subflow), to the oldest execution of
 * its flow waiting for a concurrency slot, to the scheduler (Flow triggers). Read through `db`
 * (a transaction, when called inside one).
 */
export async function endedMessages(
  ctx: Pick<RoleContext, "config" | "admission">,
  db: Backend,
  stored: StoredExecution,
  execution: Execution,
  graph: FlowGraph | undefined,
): Promise<NewMessage[]> {
  const outgoing: NewMessage[] = [];
  if (stored.parentExecutionId && stored.parentTaskRunId) {
    outgoing.push({
      topic: "executor",
      key: stored.parentExecutionId,
      payload: { type: "subflow-ended", taskRunId: stored.parentTaskRunId, child: execution },
    });
  }
  if (graph?.flow.concurrency) {
    const queued = await db.executions.oldestQueued(
      execution.tenantId ?? ctx.config.tenantId,
      execution.namespace,
      execution.flowId,
    );
    if (queued && queued !== execution.id)
      outgoing.push({ topic: "executor", key: queued, payload: { type: "concurrency-released" } });
  }
  outgoing.push(...ctx.admission.flowTriggerMessages(execution));
  return outgoing;
}
