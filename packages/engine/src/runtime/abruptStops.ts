/**
 * Crash loops. Work interrupted by an abrupt stop (SIGKILL, a crash, a frozen process killed by
 * hand) is resumed at the next start; if that work is what brings the process down, resuming it
 * again would only bring it down again. So, at an open following an abrupt stop, the work that
 * was in flight is counted on its execution (executor state `interruptions`, per task run), and an
 * execution interrupted `executor.maxAbruptStops` times is failed instead of resumed.
 *
 * In flight means: the worker jobs claimed (each was running), and the executor messages of the
 * first execution still claimed (the executor acknowledges a batch execution by execution, so
 * that one was being processed). A graceful stop removes its lock and is never counted.
 */
import type { ExecutorState, LogEntry, WorkerJob } from "../executor/types.ts";
import { failExecution } from "../executor/actions.ts";
import type { TaskRun } from "../model/execution.ts";
import type { FlowGraph } from "../flow/flowGraph.ts";
import type { StoredExecution } from "../backend/records.ts";
import { endedMessages } from "./executorService.ts";
import type { RoleContext } from "./roleContext.ts";

/** The key of executor-side work (no task run) in `interruptions`. */
const EXECUTOR = "executor";

interface Interrupted {
  /** Task run id (or `executor`) to the task id, for the message. */
  keys: Map<string, string | undefined>;
}

/** Call at open, before the claimed messages are released, when the previous process died. */
export async function countAbruptStop(ctx: RoleContext): Promise<void> {
  const { backend } = ctx;
  const limit = ctx.config.executor.maxAbruptStops;
  const inFlight = new Map<string, Interrupted>();
  const add = (executionId: string, key: string, taskId?: string) => {
    const entry = inFlight.get(executionId) ?? { keys: new Map() };
    entry.keys.set(key, taskId);
    inFlight.set(executionId, entry);
  };
  for (const message of await backend.queue.claimed<WorkerJob>("worker"))
    add(message.payload.executionId, message.payload.taskRunId, message.payload.task.id);
  const firstExecutor = (await backend.queue.claimed("executor"))[0];
  if (firstExecutor?.key) add(firstExecutor.key, EXECUTOR);
  for (const [executionId, { keys }] of inFlight) {
    const stored = await backend.executions.get(executionId);
    if (!stored || stored.finished) continue;
    const interruptions = { ...(stored.executorState.interruptions ?? {}) };
    let reached: string | undefined;
    for (const key of keys.keys()) {
      interruptions[key] = (interruptions[key] ?? 0) + 1;
      if (limit > 0 && interruptions[key]! >= limit) reached ??= key;
    }
    const state = { ...stored.executorState, interruptions };
    if (reached === undefined) {
      await backend.transaction((tx) => tx.executions.update(stored.execution, state, false));
      continue;
    }
    const taskRun = stored.execution.taskRunList.find((t) => t.id === reached);
    const what = taskRun
      ? `running task '${taskRun.taskId}'`
      : reached === EXECUTOR
        ? "processing this execution"
        : `running task '${keys.get(reached) ?? reached}'`;
    const times = interruptions[reached]!;
    await fail(
      ctx,
      stored,
      state,
      taskRun,
      `The server stopped abruptly ${times} time${times === 1 ? "" : "s"} while ${what}; the execution is failed instead of being resumed again`,
    );
  }
}

async function fail(
  ctx: RoleContext,
  stored: StoredExecution,
  state: ExecutorState,
  taskRun: TaskRun | undefined,
  message: string,
): Promise<void> {
  const x = failExecution(stored.execution, taskRun, new Date());
  const log: LogEntry = {
    namespace: x.namespace,
    flowId: x.flowId,
    executionId: x.id,
    ...(taskRun ? { taskId: taskRun.taskId, taskRunId: taskRun.id } : {}),
    level: "ERROR",
    message,
    timestamp: new Date().toISOString(),
  };
  let graph: FlowGraph | undefined;
  try {
    graph = ctx.flows.graph(x.namespace, x.flowId, x.flowRevision);
  } catch {
    graph = undefined;
  }
  await ctx.backend.transaction(async (tx) => {
    await tx.executions.update(x, state, true);
    await tx.logs.append([log]);
    await tx.queue.dropAll("executor", x.id);
    await tx.queue.dropAll("worker", x.id);
    const children = await tx.executions.childIds(x.id);
    await tx.queue.send([
      ...(await endedMessages(ctx, tx, stored, x, graph)),
      ...children.map((childId) => ({ topic: "executor" as const, key: childId, payload: { type: "kill-requested" } })),
    ]);
  });
  process.stderr.write(`saker: execution '${x.id}' (${x.namespace}/${x.flowId}): ${message}\n`);
}
