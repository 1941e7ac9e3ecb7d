import { isTerminated, z, type StateType } from "@saker/sdk";
import type { Label, TaskRun } from "../../model/execution.ts";
import { defineExecutorTask } from "../../plugins/engineTypes.ts";
import { mergeLabels, parseLabels } from "../../model/labels.ts";
import { buildRunVariables } from "../../executor/variables.ts";

const TRANSMITTED: ReadonlySet<StateType> = new Set(["FAILED", "PAUSED", "KILLED", "WARNING"]);

/** Labels a child execution inherits: the parent's system labels (all with `inheritLabels`), then the task's. */
export function childLabels(parent: readonly Label[], inheritAll: boolean, own: readonly Label[]): Label[] {
  const inherited = parent.filter((l) => inheritAll || (l.key.startsWith("system.") && l.key !== "system.readOnly"));
  return mergeLabels(inherited, own);
}

/**
 * The child execution to restart instead of starting a new one: the one this task run started
 * before, when the task run was restarted (RESTARTED since its last retry) and the task keeps the
 * default RETRY_FAILED behaviour.
 */
function restartedChild(taskRun: TaskRun, behavior: unknown): string | undefined {
  const previous = taskRun.outputs?.executionId;
  return typeof previous === "string" && retriesFailedChildren(taskRun, behavior) ? previous : undefined;
}

/**
 * Whether a Subflow or ForEachItem task run restarts the failed children it started before:
 * `restartBehavior` RETRY_FAILED (the default) and the task run restarted (RESTARTED since its
 * last retry: a retry after the restart starts new children, as a retry does).
 */
export function retriesFailedChildren(taskRun: TaskRun, behavior: unknown): boolean {
  if (behavior === "NEW_EXECUTION") return false;
  const last = taskRun.state.histories.findLast(
    (h) => h.state === "RESTARTED" || h.state === "RETRYING" || h.state === "RETRIED",
  );
  return last?.state === "RESTARTED";
}

export const Subflow = defineExecutorTask({
  type: "io.kestra.plugin.core.flow.Subflow",
  aliases: ["io.kestra.plugin.core.flow.Flow", "io.kestra.core.tasks.flows.Flow", "io.kestra.core.tasks.flows.Subflow"],
  title: "Run another flow",
  description:
    "Starts an execution of another flow with inputs; with `wait` (default) this task ends when it ends and exposes its outputs.",
  properties: z.object({
    namespace: z.string().describe("The namespace of the flow to run."),
    flowId: z.string().describe("The id of the flow to run."),
    revision: z.number().int().optional().describe("A revision of the flow; the latest by default."),
    inputs: z.record(z.string(), z.unknown()).optional().describe("Inputs of the child execution (rendered)."),
    labels: z
      .union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))])
      .optional()
      .describe("Labels of the child execution."),
    wait: z.boolean().default(true).describe("Wait for the child execution to end."),
    transmitFailed: z
      .boolean()
      .default(true)
      .describe("With wait: a failed (or killed, warning) child fails this task."),
    inheritLabels: z.boolean().default(false).describe("Pass all the parent's labels to the child."),
    scheduleDate: z.string().optional().describe("Start the child at this date (ISO-8601)."),
    outputs: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Deprecated (use the child flow's outputs): values rendered against the child execution when it ends."),
    restartBehavior: z
      .enum(["RETRY_FAILED", "NEW_EXECUTION"])
      .default("RETRY_FAILED")
      .describe(
        "When the parent execution is restarted: RETRY_FAILED restarts the failed child execution; NEW_EXECUTION starts a new one.",
      ),
  }),
  outputs: z.object({
    executionId: z.string(),
    state: z.string().optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
  }),
  async execute(ctx) {
    const t = ctx.task;
    const inputs = ((await ctx.renderValue(t.inputs ?? {})) ?? {}) as Record<string, unknown>;
    const own = t.labels === undefined ? [] : parseLabels(await ctx.renderValue(t.labels));
    const wait = t.wait !== false;
    const previous = restartedChild(ctx.taskRun, t.restartBehavior);
    const request = {
      executionId: previous ?? ctx.newId(),
      ...(previous !== undefined ? { restartOf: previous } : {}),
      namespace: await ctx.render(String(t.namespace)),
      flowId: await ctx.render(String(t.flowId)),
      ...(t.revision !== undefined ? { revision: Number(t.revision) } : {}),
      inputs,
      labels: childLabels(ctx.execution.labels, t.inheritLabels === true, own),
      wait,
      transmitFailed: t.transmitFailed !== false,
      ...(t.scheduleDate !== undefined ? { scheduleDate: await ctx.render(String(t.scheduleDate)) } : {}),
    };
    return wait
      ? { state: "RUNNING", subflows: [request] }
      : { state: "SUCCESS", subflows: [request], outputs: { executionId: request.executionId } };
  },
  async onSubflowEnded(ctx, child) {
    if (!isTerminated(child.state.current) && child.state.current !== "PAUSED") return undefined;
    const transmit = ctx.task.transmitFailed !== false;
    let state: StateType = transmit && TRANSMITTED.has(child.state.current) ? child.state.current : "SUCCESS";
    if (state === "FAILED" && ctx.task.allowFailure === true)
      state = ctx.task.allowWarning === true ? "SUCCESS" : "WARNING";
    else if (state === "WARNING" && ctx.task.allowWarning === true) state = "SUCCESS";
    let outputs = child.outputs ?? {};
    if (!child.outputs && ctx.task.outputs && typeof ctx.task.outputs === "object") {
      try {
        const childVars = buildRunVariables({
          flow: { id: child.flowId, namespace: child.namespace, tasks: [] },
          execution: child,
        });
        outputs = (await ctx.renderValue(ctx.task.outputs, childVars)) as Record<string, unknown>;
      } catch (error) {
        ctx.logger.warn(`Failed to extract outputs with the error: '${(error as Error).message}'`);
        state = ctx.task.allowFailure === true ? (ctx.task.allowWarning === true ? "SUCCESS" : "WARNING") : "FAILED";
      }
    }
    return { state, outputs: { executionId: child.id, state: child.state.current, outputs } };
  },
});
