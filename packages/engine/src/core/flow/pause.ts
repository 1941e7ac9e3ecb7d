import { isDuration, parseDuration, SakerError, tasks, z, type StateType } from "@saker/sdk";
import type { TaskRun } from "../../model/execution.ts";
import { hasBeen, lastDate } from "../../model/state.ts";
import type { FlowableContext } from "../../plugins/engineTypes.ts";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveFlowableState, resolveSequentialNexts } from "../../executor/sequencing.ts";
import { ERRORS_DESCRIPTION, sequencing, taskList } from "./common.ts";

/** A running Pause that was never paused must pause now. */
function needsPause(taskRun: TaskRun): boolean {
  return taskRun.state.current === "RUNNING" && !hasBeen(taskRun.state, "PAUSED");
}

async function renderDuration(ctx: FlowableContext, key: string): Promise<number | undefined> {
  const raw = ctx.task[key];
  if (raw === undefined || raw === null) return undefined;
  const text = (await ctx.render(String(raw))).trim();
  if (!text) return undefined;
  if (!isDuration(text))
    throw new SakerError("PROPERTY_INVALID", `'${key}' must be an ISO-8601 duration, got '${text}'`);
  return parseDuration(text);
}

const BEHAVIOR_STATE: Record<string, StateType> = {
  RESUME: "RUNNING",
  WARN: "WARNING",
  FAIL: "FAILED",
  CANCEL: "CANCELLED",
};

export const Pause = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.Pause",
  title: "Pause the execution",
  description:
    "Pauses the execution until it is resumed (API, UI or the Resume task), or automatically after `delay` (or `pauseDuration`). With `timeout`, an execution not resumed in time fails.",
  properties: z.object({
    delay: z.string().optional().describe("Resume automatically after this ISO-8601 duration."),
    timeout: z.string().optional().describe("Fail the task if not resumed within this ISO-8601 duration."),
    pauseDuration: z.string().optional().describe("How long to pause before `behavior` applies."),
    behavior: z
      .enum(["RESUME", "WARN", "FAIL", "CANCEL"])
      .default("RESUME")
      .describe("What happens after `pauseDuration`."),
    onResume: z
      .array(z.looseObject({ id: z.string(), type: z.string() }))
      .optional()
      .describe("Inputs asked for when resuming."),
    tasks: tasks().optional().describe("Deprecated: tasks to run after the pause."),
    errors: tasks().optional().describe(ERRORS_DESCRIPTION),
  }),
  outputs: z.object({ onResume: z.record(z.string(), z.unknown()).optional() }),
  topology: (task) =>
    (taskList(task, "tasks") ?? []).length === 0
      ? { kind: "task" }
      : { kind: "cluster", relationType: "SEQUENTIAL", branches: [{ tasks: taskList(task, "tasks")! }] },
  childTasks: async (ctx) => ctx.resolve(taskList(ctx.task, "tasks")),
  async resolveNexts(ctx) {
    if (needsPause(ctx.taskRun) || ctx.taskRun.state.current === "PAUSED") return [];
    return resolveSequentialNexts(sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks"))));
  },
  async resolveState(ctx) {
    if (needsPause(ctx.taskRun)) return "PAUSED";
    const children = ctx.resolve(taskList(ctx.task, "tasks"));
    if (!children || children.length === 0) return "SUCCESS";
    return resolveFlowableState(
      sequencing(ctx, children),
      ctx.task.allowFailure === true,
      ctx.task.allowWarning === true,
    );
  },
  async pauseDelay(ctx) {
    const pausedAt = Date.parse(lastDate(ctx.taskRun.state));
    const delay = (await renderDuration(ctx, "delay")) ?? (await renderDuration(ctx, "pauseDuration"));
    if (delay !== undefined) {
      const state =
        ctx.task.delay !== undefined ? "RUNNING" : (BEHAVIOR_STATE[String(ctx.task.behavior ?? "RESUME")] ?? "RUNNING");
      return { at: pausedAt + delay, state };
    }
    const timeout = await renderDuration(ctx, "timeout");
    return timeout === undefined ? undefined : { at: pausedAt + timeout, state: "FAILED" };
  },
  resumed(task, state, onResumeInputs) {
    const outputs = Array.isArray(task.onResume) ? { onResume: onResumeInputs ?? {} } : undefined;
    const hasTasks = Array.isArray(task.tasks) && task.tasks.length > 0;
    return { state: !hasTasks && state === "RUNNING" ? "SUCCESS" : state, ...(outputs ? { outputs } : {}) };
  },
});
