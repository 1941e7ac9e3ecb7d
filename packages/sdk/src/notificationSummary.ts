/**
 * The execution summary every notification that reports an execution sends (the chat `*Execution`
 * tasks, `MailExecution`): link, id, namespace, flow, state, start, duration and the task that
 * failed, read through {@link RunContext.executionSummary}. Services only choose how to lay it out.
 *
 * @module
 */
import { SakerError } from "./errors.ts";
import type { ExecutionSummary, RunContext } from "./runContext.ts";

export interface NotificationSummary {
  execution: ExecutionSummary;
  /** Human duration, e.g. `1m 2.5s`. */
  duration: string;
  /** The last task run that failed, when the execution did not succeed. */
  failedTask?: { taskId: string; id: string; value?: string };
}

function where(ctx: RunContext, path?: string) {
  return { flow: `${ctx.flow.namespace}/${ctx.flow.id}`, taskId: ctx.task.id, ...(path ? { path } : {}) };
}

/** Reads execution `executionId` and summarizes it; fails naming `executionId` when there is none. */
export async function summarizeExecution(ctx: RunContext, executionId: string): Promise<NotificationSummary> {
  if (!ctx.executionSummary)
    throw new SakerError("ENGINE_UNAVAILABLE", "reading an execution needs a Saker worker", where(ctx));
  const execution = await ctx.executionSummary(executionId);
  if (!execution)
    throw new SakerError("EXECUTION_NOT_FOUND", `no execution '${executionId}'`, where(ctx, "executionId"));
  const failed = [...execution.taskRuns].reverse().find((t) => t.state === "FAILED");
  return {
    execution,
    duration: humanDuration(execution.duration),
    ...(failed
      ? { failedTask: { taskId: failed.taskId, id: failed.id, ...(failed.value ? { value: failed.value } : {}) } }
      : {}),
  };
}

/** `PT1H2M3.5S` → `1h 2m 3.5s` (days and larger units do not occur in execution durations). */
export function humanDuration(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso);
  if (!m) return iso;
  const [, d, h, min, s] = m;
  const parts = [d && `${d}d`, h && `${h}h`, min && `${min}m`, s && `${Number(s)}s`].filter(Boolean);
  return parts.length ? parts.join(" ") : "0s";
}

/** The summary as label → value lines, in Kestra's order, followed by `customFields`. */
export function summaryFields(
  summary: NotificationSummary,
  customFields: Readonly<Record<string, unknown>> = {},
): [string, string][] {
  const x = summary.execution;
  const fields: [string, string][] = [
    ["Execution ID", x.id],
    ["Namespace", x.namespace],
    ["Flow", x.flowId],
    ["State", x.state],
    ["Start date", x.startDate],
    ["Duration", summary.duration],
  ];
  if (summary.failedTask) fields.push(["Failed task", summary.failedTask.taskId]);
  for (const [key, value] of Object.entries(customFields))
    fields.push([key, typeof value === "string" ? value : JSON.stringify(value)]);
  return fields;
}

/** The one-line title: `[namespace] flow ➛ STATE`. */
export function summaryTitle(summary: NotificationSummary): string {
  const x = summary.execution;
  return `[${x.namespace}] ${x.flowId} ➛ ${x.state}`;
}
