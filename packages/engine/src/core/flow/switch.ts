import { map, tasks, z } from "@saker/sdk";
import { resolveFlowableState, resolveSequentialNexts } from "../../executor/sequencing.ts";
import type { FlowableContext } from "../../plugins/engineTypes.ts";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import type { TaskNode } from "../../model/execution.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing, taskList } from "./common.ts";

function cases(task: TaskNode): Record<string, TaskNode[]> {
  return (task.cases ?? {}) as Record<string, TaskNode[]>;
}

async function selected(
  ctx: FlowableContext,
): Promise<{ value: string; tasks: TaskNode[] | undefined; defaults: boolean }> {
  const value = await ctx.render(String(ctx.task.value));
  const match = Object.entries(cases(ctx.task)).find(([key]) => key === value);
  return match
    ? { value, tasks: match[1], defaults: false }
    : { value, tasks: taskList(ctx.task, "defaults"), defaults: true };
}

export const Switch = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.Switch",
  title: "Run the tasks of the case matching a value",
  description: "Renders `value` and runs the tasks of the case with exactly that key, else `defaults`.",
  properties: z.object({
    value: z.union([z.string(), z.number(), z.boolean()]).describe("The value to match against the case keys."),
    cases: map(tasks()).optional().describe("Tasks by case key."),
    defaults: tasks().optional().describe("Tasks when no case matches."),
    errors: tasks().optional().describe(ERRORS_DESCRIPTION),
    finally: tasks().optional().describe(FINALLY_DESCRIPTION),
  }),
  outputs: z.object({ value: z.string(), defaults: z.boolean() }),
  topology: (task) => ({
    kind: "cluster",
    relationType: "CHOICE",
    branches: [
      ...(taskList(task, "defaults") ? [{ tasks: taskList(task, "defaults")!, value: "defaults" }] : []),
      ...Object.entries(cases(task)).map(([value, tasks]) => ({ tasks, value })),
    ],
  }),
  childTasks: async (ctx) => ctx.resolve((await selected(ctx)).tasks),
  resolveNexts: async (ctx) => resolveSequentialNexts(sequencing(ctx, ctx.resolve((await selected(ctx)).tasks))),
  async resolveState(ctx) {
    const chosen = ctx.resolve((await selected(ctx)).tasks);
    if (!chosen) {
      ctx.logger.warn(
        `No task found on flow '${ctx.flow.flow.namespace}.${ctx.flow.flow.id}', task '${ctx.task.id}', execution '${ctx.execution.id}'`,
      );
      if (ctx.task.allowFailure === true) return ctx.task.allowWarning === true ? "SUCCESS" : "WARNING";
      return "FAILED";
    }
    return resolveFlowableState(
      sequencing(ctx, chosen),
      ctx.task.allowFailure === true,
      ctx.task.allowWarning === true,
    );
  },
  async computeOutputs(ctx) {
    const { value, defaults } = await selected(ctx);
    return { value, defaults };
  },
});
