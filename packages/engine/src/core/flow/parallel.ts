import { tasks, z } from "@saker/sdk";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveParallelNexts } from "../../executor/sequencing.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing, taskList } from "./common.ts";

export const Parallel = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.Parallel",
  title: "Run tasks at the same time",
  description: "Starts every task at once, at most `concurrent` running together (0: no limit).",
  properties: z.object({
    tasks: tasks().min(1).describe("The tasks to run in parallel."),
    concurrent: z.number().int().min(0).default(0).describe("How many tasks run at once; 0 means all."),
    errors: tasks().optional().describe(ERRORS_DESCRIPTION),
    finally: tasks().optional().describe(FINALLY_DESCRIPTION),
  }),
  topology: (task) => ({
    kind: "cluster",
    relationType: "PARALLEL",
    branches: [{ tasks: taskList(task, "tasks") ?? [], parallel: true }],
  }),
  childTasks: async (ctx) => ctx.resolve(taskList(ctx.task, "tasks")),
  resolveNexts: async (ctx) =>
    resolveParallelNexts(sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks"))), Number(ctx.task.concurrent ?? 0)),
});
