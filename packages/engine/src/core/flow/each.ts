/**
 * ForEach and the deprecated EachSequential / EachParallel: run child tasks once per distinct
 * value, each child task run carrying the value (`{{ taskrun.value }}`).
 */
import { SakerError, tasks, z } from "@saker/sdk";
import type { ResolvedTask, TaskNode, TaskRun } from "../../model/execution.ts";
import type { FlowableContext, FlowableTopology } from "../../plugins/engineTypes.ts";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import {
  resolveConcurrentNexts,
  resolveFlowableState,
  resolveParallelNexts,
  resolveSequentialNexts,
} from "../../executor/sequencing.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing, taskList } from "./common.ts";
import { isDataLimitError, parseJsonData } from "../../model/dataLimits.ts";

async function renderValues(ctx: FlowableContext, raw: unknown): Promise<unknown[]> {
  if (typeof raw === "string") {
    const rendered = await ctx.render(raw);
    let parsed: unknown;
    try {
      parsed = parseJsonData(rendered, "values");
    } catch (error) {
      if (isDataLimitError(error)) throw error;
      throw new SakerError(
        "EXPRESSION_ERROR",
        `Unable to read the values as a JSON list: ${(error as Error).message} (rendered: ${rendered.slice(0, 200)})`,
      );
    }
    if (!Array.isArray(parsed))
      throw new SakerError("EXPRESSION_ERROR", `The values must be a list, got: ${rendered.slice(0, 200)}`);
    return parsed;
  }
  if (Array.isArray(raw)) {
    const values: unknown[] = [];
    for (const item of raw) {
      if (typeof item === "string") values.push(await ctx.render(item));
      else if (typeof item === "number") values.push(await ctx.render(String(item)));
      else if (item !== null && typeof item === "object" && !Array.isArray(item))
        values.push(await ctx.renderValue(item));
      else
        throw new SakerError("EXPRESSION_ERROR", `Unknown value element type: ${item === null ? "null" : typeof item}`);
    }
    return values;
  }
  throw new SakerError("EXPRESSION_ERROR", `Unknown value type: ${raw === null ? "null" : typeof raw}`);
}

/** Each distinct value × each task; objects become their JSON text. Nulls are an error. */
export async function resolveEachTasks(
  ctx: FlowableContext,
  children: readonly TaskNode[],
  raw: unknown,
): Promise<ResolvedTask[]> {
  const values = await renderValues(ctx, raw);
  const seen = new Set<string>();
  const distinct: string[] = [];
  let nulls = 0;
  for (const value of values) {
    if (value === null || value === undefined) {
      nulls++;
      continue;
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (!seen.has(text)) {
      seen.add(text);
      distinct.push(text);
    }
  }
  if (nulls > 0)
    throw new SakerError(
      "EXPRESSION_ERROR",
      `Found '${nulls}' null values on Each, with values=${JSON.stringify(values)}`,
    );
  return distinct.flatMap((value) => children.map((task) => ({ task, value, parentId: ctx.taskRun.id })));
}

const eachProperties = {
  tasks: tasks().min(1).describe("Tasks to run for each value."),
  errors: tasks().optional().describe(ERRORS_DESCRIPTION),
  finally: tasks().optional().describe(FINALLY_DESCRIPTION),
};
const valuesSchema = z.union([z.string(), z.array(z.unknown())]);

/**
 * The children of a task run, worked out once per task run: every pass of every step asks for
 * them, and rendering and parsing thousands of values each time made a long ForEach quadratic.
 * The values are rendered when the task run first asks (before its first child starts, as
 * Kestra's ForEach renders them); a render that fails is tried again the next time.
 */
const eachOfRun = new WeakMap<TaskRun, { task: TaskNode; raw: unknown; children: ResolvedTask[] }>();

async function eachChildren(ctx: FlowableContext, key: string) {
  const raw = ctx.task[key];
  const known = eachOfRun.get(ctx.taskRun);
  if (known && known.task === ctx.task && known.raw === raw) return known.children;
  const children = await resolveEachTasks(ctx, taskList(ctx.task, "tasks") ?? [], raw);
  eachOfRun.set(ctx.taskRun, { task: ctx.task, raw, children });
  return children;
}

/** The children drawn once, in a DYNAMIC cluster (one node per value only in an execution's graph). */
function eachTopology(task: TaskNode, parallel: boolean): FlowableTopology {
  return { kind: "cluster", relationType: "DYNAMIC", branches: [{ tasks: taskList(task, "tasks") ?? [], parallel }] };
}

async function eachState(ctx: FlowableContext, key: string) {
  const children = await eachChildren(ctx, key);
  if (children.length === 0) return "SUCCESS" as const;
  return resolveFlowableState(
    sequencing(ctx, children),
    ctx.task.allowFailure === true,
    ctx.task.allowWarning === true,
  );
}

export const ForEach = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.ForEach",
  title: "Run tasks for each value of a list",
  description:
    "Runs the tasks once per distinct value. `concurrencyLimit: 1` runs value after value; N runs up to N value groups at once (each group in order); 0 runs them all at once.",
  properties: z.object({
    values: valuesSchema.describe("A list, or a JSON array as a string (rendered)."),
    concurrencyLimit: z.number().int().min(0).default(1).describe("How many value groups run at once; 0 means all."),
    ...eachProperties,
  }),
  topology: (task) => eachTopology(task, Number(task.concurrencyLimit ?? 1) !== 1),
  childTasks: (ctx) => eachChildren(ctx, "values"),
  resolveState: (ctx) => eachState(ctx, "values"),
  async resolveNexts(ctx) {
    const children = await eachChildren(ctx, "values");
    const limit = Number(ctx.task.concurrencyLimit ?? 1);
    return limit === 1
      ? resolveSequentialNexts(sequencing(ctx, children))
      : resolveConcurrentNexts(sequencing(ctx, children), limit);
  },
});

export const EachSequential = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.EachSequential",
  title: "Run tasks for each value, one value after the other (deprecated: use ForEach)",
  deprecated: true,
  properties: z.object({ value: valuesSchema.describe("A list, or a JSON array as a string."), ...eachProperties }),
  topology: (task) => eachTopology(task, false),
  childTasks: (ctx) => eachChildren(ctx, "value"),
  resolveState: (ctx) => eachState(ctx, "value"),
  resolveNexts: async (ctx) => resolveSequentialNexts(sequencing(ctx, await eachChildren(ctx, "value"))),
});

export const EachParallel = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.EachParallel",
  title: "Run tasks for each value, all at once (deprecated: use ForEach)",
  deprecated: true,
  properties: z.object({
    value: valuesSchema.describe("A list, or a JSON array as a string."),
    concurrent: z.number().int().min(0).default(0).describe("How many task runs at once; 0 means all."),
    ...eachProperties,
  }),
  topology: (task) => eachTopology(task, true),
  childTasks: (ctx) => eachChildren(ctx, "value"),
  resolveState: (ctx) => eachState(ctx, "value"),
  resolveNexts: async (ctx) =>
    resolveParallelNexts(sequencing(ctx, await eachChildren(ctx, "value")), Number(ctx.task.concurrent ?? 0)),
});
