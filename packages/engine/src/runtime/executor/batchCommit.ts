/**
 * Commits without the pipeline (it is off, or fell back after a failed group commit): the steps
 * of one batch commit together; when that fails (not for lack of space), each step commits alone,
 * so that one failing execution does not hold back the others, and a step failing alone is
 * reported and its messages acknowledged.
 */
import type { ExecutorEvent } from "../../executor/types.ts";
import type { QueueMessage } from "../../backend/queue.ts";
import { NOTIFY } from "../../backend/notifier.ts";
import { isDiskFull } from "../../storage/diskFull.ts";
import { bundlesOf, consume } from "../handoff.ts";
import type { RoleContext } from "../roleContext.ts";
import { fenceFailure } from "../../backend/fence.ts";
import type { Step } from "./step.ts";

/** Messages handled and acknowledged (committed): recorded in `done`. */
export type Settle = (messages: readonly QueueMessage[], done: Set<number>) => void;

/**
 * A step whose commit found its execution written by another process meanwhile (backend/fence.ts):
 * its messages are handled again, from the execution as stored.
 */
export type Redo = (step: Step) => void;

/** A step that failed (not for lack of space): reported, and its messages acknowledged. */
export async function dropFailed(
  ctx: RoleContext,
  settled: Settle,
  executionId: string,
  messages: QueueMessage<ExecutorEvent>[],
  error: unknown,
  done: Set<number>,
): Promise<void> {
  ctx.report.internalError(`executor failed on execution '${executionId}'`, error);
  // the logs and metrics of the task results it handled unsaved are kept, as the worker kept them
  await ctx.backend.transaction((tx) => consume(tx, messages));
  settled(messages, done);
  for (const bundle of bundlesOf(messages))
    for (const log of bundle.untold ?? []) ctx.backend.notifier.notify(NOTIFY.log, log);
}

/**
 * Commits prepared steps in one transaction, then does what each does once committed. When
 * the group fails (not for lack of space), each step is committed alone, so that one failing
 * execution does not hold back the others.
 */
export async function commitSteps(
  ctx: RoleContext,
  settled: Settle,
  redo: Redo,
  steps: Step[],
  done: Set<number>,
): Promise<void> {
  if (steps.length === 0) return;
  try {
    await ctx.backend.transaction(async (tx) => {
      for (const step of steps) await step.write(tx);
    });
  } catch (error) {
    if (isDiskFull(error) || steps.length === 1) for (const step of steps) step.cancel();
    if (isDiskFull(error)) throw error;
    const fence = steps.length === 1 ? fenceFailure(error) : undefined;
    if (fence === "claims-lost") {
      // nothing acknowledged: the messages are another executor's now (this one was declared dead)
      ctx.report.internalError(`executor: the claims of execution '${steps[0]!.executionId}' went to another`, error);
      return settled(steps[0]!.messages, done);
    }
    if (fence === "written-meanwhile") {
      steps[0]!.discard();
      return redo(steps[0]!);
    }
    if (steps.length === 1) return dropFailed(ctx, settled, steps[0]!.executionId, steps[0]!.messages, error, done);
    for (const [i, step] of steps.entries()) {
      try {
        await commitSteps(ctx, settled, redo, [step], done);
      } catch (failure) {
        for (const rest of steps.slice(i + 1)) rest.cancel();
        throw failure;
      }
    }
    return;
  }
  for (const step of steps) {
    settled(step.messages, done);
    try {
      await step.committed();
    } catch (error) {
      ctx.report.internalError(`executor failed after a step of execution '${step.executionId}'`, error);
    }
  }
}
