import type { ResolvedTask, TaskNode } from "../../model/execution.ts";
import type { FlowableContext } from "../../plugins/engineTypes.ts";
import type { SequencingInput } from "../../executor/sequencing.ts";

/** A list-of-tasks property of the task, or undefined. */
export function taskList(task: TaskNode, key: string): TaskNode[] | undefined {
  const value = task[key];
  return Array.isArray(value) ? (value as TaskNode[]) : undefined;
}

/** The sequencing input for `children` under this task run, with its errors branch. */
export function sequencing(ctx: FlowableContext, children: readonly ResolvedTask[] | undefined): SequencingInput {
  return {
    execution: ctx.execution,
    tasks: children ?? [],
    errors: ctx.resolve(taskList(ctx.task, "errors")),
    finally: ctx.resolve(taskList(ctx.task, "finally")),
    parent: ctx.taskRun,
    retryOf: ctx.retryOf,
  };
}

/** Properties shared by every flowable with an errors branch. */
export const ERRORS_DESCRIPTION = "Tasks to run when one of the tasks fails.";
export const FINALLY_DESCRIPTION =
  "Tasks to run at the end, one after the other, whether the tasks succeeded or failed (after the errors branch). Their outcome does not change this task's state.";
