import { tasks, z } from "@saker/sdk";
import { isTruthy } from "../../expression/index.ts";
import { guessFinalState } from "../../executor/queries.ts";
import { resolveFlowableState, resolveSequentialNexts } from "../../executor/sequencing.ts";
import type { FlowableContext } from "../../plugins/engineTypes.ts";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing, taskList } from "./common.ts";

async function evaluate(ctx: FlowableContext): Promise<boolean> {
  const known = ctx.taskRun.outputs?.evaluationResult;
  if (typeof known === "boolean") return known;
  return isTruthy(await ctx.render(String(ctx.task.condition)));
}

/** The branch is chosen once (stored in the outputs), so a condition changing mid-way changes nothing. */
async function branch(ctx: FlowableContext) {
  return ctx.resolve(taskList(ctx.task, (await evaluate(ctx)) ? "then" : "else"));
}

export const If = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.If",
  title: "Run tasks when a condition holds",
  description: "Renders `condition` once; a truthy result runs `then`, otherwise `else` (if any).",
  properties: z.object({
    condition: z
      .union([z.string(), z.boolean(), z.number()])
      .describe("An expression; false, 0, -0, null and the empty string are false."),
    then: tasks().min(1).describe("Tasks to run when the condition is true."),
    else: tasks().optional().describe("Tasks to run when the condition is false."),
    errors: tasks().optional().describe(ERRORS_DESCRIPTION),
    finally: tasks().optional().describe(FINALLY_DESCRIPTION),
  }),
  outputs: z.object({ evaluationResult: z.boolean() }),
  topology: (task) => ({
    kind: "cluster",
    relationType: "CHOICE",
    branches: [
      { tasks: taskList(task, "then") ?? [], value: "then" },
      ...(task.else !== undefined ? [{ tasks: taskList(task, "else") ?? [], value: "else" }] : []),
    ],
  }),
  childTasks: branch,
  resolveNexts: async (ctx) => resolveSequentialNexts(sequencing(ctx, await branch(ctx))),
  async resolveState(ctx) {
    const children = await branch(ctx);
    const allowFailure = ctx.task.allowFailure === true;
    const allowWarning = ctx.task.allowWarning === true;
    if (!children || children.length === 0)
      return guessFinalState(ctx.execution, [], ctx.taskRun, allowFailure, allowWarning);
    return resolveFlowableState(sequencing(ctx, children), allowFailure, allowWarning);
  },
  computeOutputs: async (ctx) => ({ evaluationResult: await evaluate(ctx) }),
});
