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
import { ClaimLost, type Step } from "./step.ts";

/** Messages handled and acknowledged (committed): recorded in `done`. */
export type Settle = (messages: readonly QueueMessage[], done: Set<number>) => void;

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
export async function commitSteps(ctx: RoleContext, settled: Settle, steps: Step[], done: Set<number>): Promise<void> {
  if (steps.length === 0) return;
  try {
    await ctx.backend.transaction(async (tx) => {
      for (const step of steps) await step.write(tx);
    });
  } catch (error) {
    if (isDiskFull(error) || steps.length === 1) for (const step of steps) step.cancel();
    if (isDiskFull(error)) throw error;
    if (steps.length === 1 && error instanceof ClaimLost) {
      // nothing acknowledged: the messages are the other executor's now
      ctx.report.internalError("executor", error);
      return settled(steps[0]!.messages, done);
    }
    if (steps.length === 1) return dropFailed(ctx, settled, steps[0]!.executionId, steps[0]!.messages, error, done);
    for (const [i, step] of steps.entries()) {
      try {
        await commitSteps(ctx, settled, [step], done);
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
