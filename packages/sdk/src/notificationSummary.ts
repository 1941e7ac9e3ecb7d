/**
 * The execution summary every notification that reports an execution sends (the chat `*Execution`
 * tasks, `MailExecution`, `SendGridMailExecution`): link, id, namespace, flow, state, start,
 * duration and the task that failed, read through {@link RunContext.executionSummary}. Services
 * only choose how to lay it out; the two mail layouts (HTML and plain text) are here, shared by the
 * mail plugins.
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

const STATE_COLORS: Record<string, string> = { SUCCESS: "green", WARNING: "orange" };

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/**
 * The summary as an HTML mail body: the title with the state coloured (green, orange, else red),
 * the custom message, the outcome (`Succeeded after 2s`, `Failed on task <code>t</code> after 2s`),
 * a "See details" button to the execution's page when `server.url` is set, then one
 * `<strong>Label:</strong> value` paragraph per field. Every value is HTML-escaped.
 *
 * @example
 * ```ts
 * const summary = await summarizeExecution(ctx, props.executionId ?? ctx.execution.id);
 * const html = summaryHtml(summary, { Team: "data" }, "Production run failed");
 * ```
 */
export function summaryHtml(
  summary: NotificationSummary,
  customFields: Readonly<Record<string, unknown>>,
  customMessage: string | undefined,
): string {
  const x = summary.execution;
  const p = (inner: string) => `<p style="font-family: sans-serif; font-size: 14px; margin: 0 0 15px;">${inner}</p>`;
  const outcome = summary.failedTask
    ? `Failed on task <code>${escapeHtml(summary.failedTask.taskId)}</code> after ${escapeHtml(summary.duration)}`
    : `${x.state === "SUCCESS" ? "Succeeded" : escapeHtml(x.state)} after ${escapeHtml(summary.duration)}`;
  const lines = [
    `<p style="font-family: sans-serif; font-size: 16px; margin: 0 0 15px;">[${escapeHtml(x.namespace)}] ${escapeHtml(x.flowId)} ➛ ` +
      `<span style="color: ${STATE_COLORS[x.state] ?? "red"};">${escapeHtml(x.state)}</span></p>`,
    ...(customMessage !== undefined ? [p(escapeHtml(customMessage))] : []),
    p(outcome),
    ...(x.url
      ? [
          `<p style="margin: 0 0 15px;"><a href="${escapeHtml(x.url)}" target="_blank" style="display: inline-block; color: #ffffff; background-color: #3498db; border-radius: 5px; padding: 12px 25px; text-decoration: none; font-weight: bold;">See details</a></p>`,
        ]
      : []),
    ...summaryFields(summary, customFields).map(([key, value]) =>
      p(`<strong>${escapeHtml(key)}:</strong> ${escapeHtml(value)}`),
    ),
  ];
  return `<!doctype html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><title>Flow [${escapeHtml(x.namespace)}] ${escapeHtml(x.flowId)} execution</title></head>
<body style="background-color: #f6f6f6; font-family: sans-serif; font-size: 14px;">
<div style="max-width: 580px; margin: 0 auto; padding: 20px; background: #ffffff;">
${lines.join("\n")}
</div>
</body>
</html>
`;
}

/**
 * The summary as a plain-text mail body, the alternative to {@link summaryHtml}: the title, the
 * custom message, a blank line, one `Label: value` line per field, then `Details: <link>` when
 * `server.url` is set. Ends with a newline.
 */
export function summaryText(
  summary: NotificationSummary,
  customFields: Readonly<Record<string, unknown>>,
  customMessage: string | undefined,
): string {
  const x = summary.execution;
  return [
    summaryTitle(summary),
    ...(customMessage !== undefined ? [customMessage] : []),
    "",
    ...summaryFields(summary, customFields).map(([key, value]) => `${key}: ${value}`),
    ...(x.url ? ["", `Details: ${x.url}`] : []),
    "",
  ].join("\n");
}
