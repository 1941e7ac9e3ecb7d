import { tasks, z } from "@saker/sdk";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveFlowableState, resolveSequentialNexts } from "../../executor/sequencing.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing, taskList } from "./common.ts";

const properties = z.object({
  tasks: tasks().min(1).describe("The tasks to run, one after the other."),
  errors: tasks().optional().describe(ERRORS_DESCRIPTION),
  finally: tasks().optional().describe(FINALLY_DESCRIPTION),
});

export const Sequential = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.Sequential",
  title: "Run tasks one after the other",
  description: "Groups tasks; each starts when the previous one ended. Useful to give a group its own `errors` branch.",
  properties,
  childTasks: async (ctx) => ctx.resolve(taskList(ctx.task, "tasks")),
  resolveNexts: async (ctx) => resolveSequentialNexts(sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks")))),
});

export const AllowFailure = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.AllowFailure",
  title: "Run tasks, turning a failure into a warning",
  description:
    "Runs its tasks one after the other; when one fails, this task ends WARNING instead of FAILED and the flow goes on.",
  properties,
  childTasks: async (ctx) => ctx.resolve(taskList(ctx.task, "tasks")),
  resolveNexts: async (ctx) => resolveSequentialNexts(sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks")))),
  async resolveState(ctx) {
    const input = sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks")));
    const allowFailure = ctx.task.allowFailure === true;
    const allowWarning = ctx.task.allowWarning === true;
    const state = resolveFlowableState(input, allowFailure, allowWarning);
    if (state === undefined) return undefined;
    const normal = resolveFlowableState({ ...input, errors: undefined }, allowFailure, allowWarning);
    return normal === "FAILED" ? "WARNING" : state;
  },
});
