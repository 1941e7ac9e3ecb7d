/**
 * LoopUntil (and its older name WaitFor): run the tasks, then check the condition; while it is
 * false, wait `checkFrequency.interval` and run them again, up to the maximums.
 */
import { duration, tasks, z } from "@saker/sdk";
import { isTruthy } from "../../expression/index.ts";
import type { FlowableContext } from "../../plugins/engineTypes.ts";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveFlowableState, resolveSequentialNexts } from "../../executor/sequencing.ts";
import { compileCheckFrequency, type CheckFrequency } from "./checkFrequency.ts";
import { ERRORS_DESCRIPTION, sequencing, taskList } from "./common.ts";

function iterationCount(ctx: FlowableContext): number {
  const count = Number(ctx.taskRun.outputs?.iterationCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
}

function childrenSucceeded(ctx: FlowableContext): boolean {
  const children = ctx.execution.taskRunList.filter(
    (t) => t.parentTaskRunId === ctx.taskRun.id && t.state.current === "SUCCESS",
  );
  return children.length === (taskList(ctx.task, "tasks") ?? []).length;
}

function maximumReached(ctx: FlowableContext, frequency: CheckFrequency): boolean {
  if (frequency.maxIterations !== undefined && iterationCount(ctx) >= frequency.maxIterations) {
    ctx.logger.warn("Max iterations reached");
    return true;
  }
  const created = Date.parse(ctx.taskRun.state.histories[0]!.date);
  if (frequency.maxDuration !== undefined && created + frequency.maxDuration < ctx.now.getTime()) {
    ctx.logger.warn("Max duration reached");
    return true;
  }
  return false;
}

function defineLoop(type: string, title: string, defaults: CheckFrequency, aliases: string[] = []) {
  return defineFlowableTask({
    type,
    aliases,
    title,
    description:
      "Runs the tasks, then renders `condition`: while it is false the tasks run again after `checkFrequency.interval`, up to `maxIterations` and `maxDuration`.",
    properties: z.object({
      tasks: tasks().min(1).describe("Tasks to run on each iteration."),
      condition: z.union([z.string(), z.boolean()]).describe("Ends the loop once true."),
      failOnMaxReached: z
        .boolean()
        .default(false)
        .describe("Fail when a maximum is reached before the condition holds."),
      checkFrequency: z
        .object({
          maxIterations: z.number().int().min(1).optional(),
          maxDuration: duration().optional(),
          interval: duration().optional(),
        })
        .optional()
        .describe("How often, and how long, to check."),
      errors: tasks().optional().describe(ERRORS_DESCRIPTION),
    }),
    outputs: z.object({ iterationCount: z.number().int() }),
    childTasks: async (ctx) => ctx.resolve(taskList(ctx.task, "tasks")),
    resolveNexts: async (ctx) =>
      resolveSequentialNexts(sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks"))), ctx.taskRun.iteration ?? 1),
    async resolveState(ctx) {
      const input = sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks")));
      if (childrenSucceeded(ctx)) {
        const frequency = compileCheckFrequency(ctx.task.checkFrequency, defaults);
        if (isTruthy(await ctx.render(String(ctx.task.condition)))) return "SUCCESS";
        if (maximumReached(ctx, frequency)) return ctx.task.failOnMaxReached === true ? "FAILED" : "SUCCESS";
        return {
          continueAt: ctx.now.getTime() + frequency.interval,
          outputs: { iterationCount: iterationCount(ctx) + 1 },
        };
      }
      return resolveFlowableState(input, ctx.task.allowFailure === true, ctx.task.allowWarning === true);
    },
    computeOutputs: async (ctx) => ({ iterationCount: iterationCount(ctx) }),
  });
}

export const LoopUntil = defineLoop("io.kestra.plugin.core.flow.LoopUntil", "Run tasks until a condition holds", {
  interval: 60_000,
});

export const WaitFor = defineLoop(
  "io.kestra.plugin.core.flow.WaitFor",
  "Run tasks until a condition holds (older name of LoopUntil, with its older defaults)",
  { maxIterations: 100, maxDuration: 3_600_000, interval: 1000 },
);
