/**
 * `ForEachItem`: splits a file of items into batches and runs a subflow per batch. As in Kestra it
 * works through three internal tasks, children of the ForEachItem task run: `<id>_split` (a worker
 * task writing the batches to storage), `<id>_items` (the executor starts one child execution per
 * batch, `{{ taskrun.items }}` being its batch file and `{{ taskrun.iteration }}` its index) and
 * `<id>_merge` (when waiting, the children's outputs as one Ion file, `subflowOutputs`).
 */
import { defineTask, isTerminated, NonRetryableError, z, type StateType } from "@saker/sdk";
import type { Execution, TaskNode, TaskRun } from "../../model/execution.ts";
import { defineExecutorTask, defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveSequentialNexts } from "../../executor/sequencing.ts";
import { engineOf } from "../../plugins/engineServices.ts";
import { toIonText } from "../../expression/ion.ts";
import { parseLabels } from "../../model/labels.ts";
import { Split } from "../storage/split.ts";
import { sequencing } from "./common.ts";
import { childLabels, retriesFailedChildren } from "./subflow.ts";

const SPLIT = "io.kestra.plugin.core.flow.ForEachItem$ForEachItemSplit";
const ITEMS = "io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable";
const MERGE = "io.kestra.plugin.core.flow.ForEachItem$ForEachItemMergeOutputs";

const BatchSchema = z.object({
  rows: z.number().int().min(1).optional().describe("Items per batch (default 1)."),
  bytes: z.string().optional().describe("Maximum size of a batch, e.g. 10MB."),
  partitions: z.number().int().min(1).optional().describe("Number of batches."),
  separator: z.string().default("\n").describe("The separator between items."),
});

const synthetic = new WeakMap<TaskNode, TaskNode[]>();

/** What the `_items` task takes from the ForEachItem (allowFailure, retry, timeout… stay on it). */
const SUBFLOW_KEYS = [
  "namespace",
  "flowId",
  "revision",
  "inputs",
  "labels",
  "wait",
  "transmitFailed",
  "inheritLabels",
  "scheduleDate",
  "restartBehavior",
] as const;

/** The three internal tasks of a ForEachItem node (the same objects every time). */
function internalTasks(task: TaskNode): TaskNode[] {
  let found = synthetic.get(task);
  if (!found) {
    const { id, items, batch } = task;
    const subflow = Object.fromEntries(SUBFLOW_KEYS.filter((k) => task[k] !== undefined).map((k) => [k, task[k]]));
    found = [
      { id: `${id}_split`, type: SPLIT, items, ...(batch !== undefined ? { batch } : {}) } as TaskNode,
      { ...subflow, id: `${id}_items`, type: ITEMS, forEachItem: id } as TaskNode,
      { id: `${id}_merge`, type: MERGE, forEachItem: id, ...(task.wait === false ? { wait: false } : {}) } as TaskNode,
    ];
    synthetic.set(task, found);
  }
  return found;
}

export const ForEachItem = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.ForEachItem",
  aliases: ["io.kestra.core.tasks.flows.ForEachItem"],
  title: "Run a subflow for each batch of items of a file",
  description:
    "Splits `items` (a kestra:// file, one item per line) into batches (`batch.rows`, `bytes` or `partitions`) and starts one execution of the subflow per batch, which sees its batch as `{{ taskrun.items }}` (a file URI) and `{{ taskrun.iteration }}`. With `wait`, this task ends when every subflow ended; `outputs.<id>_items.iterations` counts them by state, and `outputs.<id>_merge.subflowOutputs` is an Ion file of their outputs.",
  examples: [
    {
      title: "One subflow per 10 lines",
      code: 'id: each\ntype: io.kestra.plugin.core.flow.ForEachItem\nitems: "{{ inputs.file }}"\nbatch:\n  rows: 10\nnamespace: company.team\nflowId: process-batch\ninputs:\n  batch: "{{ taskrun.items }}"',
    },
  ],
  properties: z.object({
    items: z.string().describe("The kestra:// URI of the file of items, one per line."),
    batch: BatchSchema.optional().describe("How to cut the file into batches."),
    namespace: z.string().describe("The namespace of the subflow."),
    flowId: z.string().describe("The id of the subflow."),
    revision: z.number().int().optional().describe("A revision of the subflow; the latest by default."),
    inputs: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Inputs of each subflow execution; `{{ taskrun.items }}` is the batch file."),
    labels: z
      .union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))])
      .optional()
      .describe("Labels of the subflow executions."),
    wait: z.boolean().default(true).describe("Wait for every subflow execution to end."),
    transmitFailed: z.boolean().default(true).describe("With wait: a failed subflow execution fails this task."),
    inheritLabels: z.boolean().default(false).describe("Pass all the parent's labels to the subflows."),
    scheduleDate: z.string().optional().describe("Start the subflows at this date (ISO-8601)."),
    restartBehavior: z
      .enum(["RETRY_FAILED", "NEW_EXECUTION"])
      .default("RETRY_FAILED")
      .describe(
        "When the parent execution is restarted: RETRY_FAILED restarts the failed subflow executions (the others keep their result); NEW_EXECUTION starts a new one for each batch.",
      ),
  }),
  syntheticTasks: internalTasks,
  topology: (task) => ({ kind: "cluster", relationType: "SEQUENTIAL", branches: [{ tasks: internalTasks(task) }] }),
  // The internal tasks carry the ForEachItem's value (inside a ForEach), as Kestra's do.
  childTasks: async (ctx) => ctx.resolve(internalTasks(ctx.task), ctx.taskRun.value),
  resolveNexts: async (ctx) =>
    resolveSequentialNexts(sequencing(ctx, ctx.resolve(internalTasks(ctx.task), ctx.taskRun.value))),
});

export const ForEachItemSplit = defineTask({
  type: SPLIT,
  title: "ForEachItem: split the items into batches (internal)",
  properties: z.object({ items: z.string(), batch: BatchSchema.optional(), forEachItem: z.string().optional() }),
  outputs: z.object({ uris: z.array(z.string()) }),
  async run({ items, batch }, ctx) {
    const { rows, bytes, partitions, separator } = batch ?? { separator: "\n" };
    const by = bytes !== undefined ? { bytes } : partitions !== undefined ? { partitions } : { rows: rows ?? 1 };
    return Split.run({ from: items, separator: separator ?? "\n", ...by }, ctx);
  },
});

const FAILING: readonly StateType[] = ["FAILED", "KILLED", "WARNING"];

/**
 * Moves `count` iterations from state `from` to state `to` (a copy). A state not counted yet holds
 * every batch (`total`), as in Kestra, where the first move out of CREATED starts from the number
 * of batches.
 */
export function moveIterations(
  iterations: Readonly<Record<string, number>>,
  total: number,
  from: StateType,
  to: StateType,
  count: number,
): Record<string, number> {
  const moved = { ...iterations };
  moved[to] = (moved[to] ?? 0) + count;
  moved[from] = Math.max(0, (moved[from] ?? total) - count);
  return moved;
}

/** The task run of another internal task of the same ForEachItem task run. */
function sibling(execution: Execution, taskRun: TaskRun, taskId: string): TaskRun | undefined {
  return execution.taskRunList.find((r) => r.taskId === taskId && r.parentTaskRunId === taskRun.parentTaskRunId);
}

export const ForEachItemExecutable = defineExecutorTask({
  type: ITEMS,
  title: "ForEachItem: one subflow execution per batch (internal)",
  properties: z.looseObject({ forEachItem: z.string() }),
  outputs: z.object({ numberOfBatches: z.number(), iterations: z.record(z.string(), z.number()) }),
  async execute(ctx) {
    const t = ctx.task;
    const split = sibling(ctx.execution, ctx.taskRun, `${String(t.forEachItem)}_split`);
    const uris = split?.outputs?.uris;
    if (!Array.isArray(uris)) throw new NonRetryableError("ForEachItem: the batches of the split task are missing");
    const wait = t.wait !== false;
    const namespace = await ctx.render(String(t.namespace));
    const flowId = await ctx.render(String(t.flowId));
    const own = t.labels === undefined ? [] : parseLabels(await ctx.renderValue(t.labels));
    const labels = childLabels(ctx.execution.labels, t.inheritLabels === true, own);
    const taskrun = {
      id: ctx.taskRun.id,
      startDate: ctx.taskRun.state.startDate,
      attemptsCount: 0,
      ...(ctx.taskRun.value !== undefined ? { value: ctx.taskRun.value } : {}),
    };
    const subflows = [];
    const restart = wait && retriesFailedChildren(ctx.taskRun, t.restartBehavior);
    for (const [iteration, items] of uris.entries()) {
      const inputs = ((await ctx.renderValue(t.inputs ?? {}, { taskrun: { ...taskrun, items, iteration } })) ??
        {}) as Record<string, unknown>;
      subflows.push({
        executionId: ctx.newId(),
        namespace,
        flowId,
        ...(t.revision !== undefined ? { revision: Number(t.revision) } : {}),
        inputs,
        labels,
        wait,
        transmitFailed: t.transmitFailed !== false,
        iteration,
        ...(restart ? { restartIteration: true } : {}),
        ...(t.scheduleDate !== undefined ? { scheduleDate: await ctx.render(String(t.scheduleDate)) } : {}),
      });
    }
    const n = uris.length;
    if (n === 0) return { state: "SUCCESS", subflows, outputs: { numberOfBatches: 0, iterations: {} } };
    // As Kestra counts them: each child moves CREATED -> RUNNING when it is started and RUNNING -> its
    // end state when it ends, an emptied state staying at 0. Without wait, every child counts as
    // ended at once.
    if (!wait)
      return {
        state: "SUCCESS",
        subflows,
        outputs: { numberOfBatches: n, iterations: moveIterations({}, n, "RUNNING", "SUCCESS", n) },
      };
    return {
      state: "RUNNING",
      subflows,
      outputs: { numberOfBatches: n, iterations: moveIterations({}, n, "CREATED", "RUNNING", n) },
    };
  },
  async onSubflowEnded(ctx, child) {
    if (!isTerminated(child.state.current)) return undefined;
    const previous = (ctx.taskRun.outputs ?? {}) as { numberOfBatches?: number; iterations?: Record<string, number> };
    const total = previous.numberOfBatches ?? 0;
    const iterations = moveIterations(previous.iterations ?? {}, total, "RUNNING", child.state.current, 1);
    const outputs = { numberOfBatches: total, iterations };
    const ended = Object.entries(iterations)
      .filter(([s]) => isTerminated(s as StateType))
      .reduce((sum, [, count]) => sum + count, 0);
    if (ended < total) return { state: "RUNNING", outputs };
    const transmit = ctx.task.transmitFailed !== false;
    let state: StateType = "SUCCESS";
    if (transmit) for (const s of FAILING) if (iterations[s]) state = state === "SUCCESS" || s === "FAILED" ? s : state;
    if (state === "KILLED") state = "FAILED";
    return { state, outputs };
  },
});

export const ForEachItemMergeOutputs = defineTask({
  type: MERGE,
  title: "ForEachItem: merge the subflows' outputs (internal)",
  properties: z.object({ forEachItem: z.string(), wait: z.boolean().optional() }),
  outputs: z.object({
    subflowOutputs: z
      .string()
      .optional()
      .describe("An Ion file: the outputs of each subflow execution, in batch order (none without `wait`)."),
  }),
  async run({ forEachItem, wait }, ctx) {
    // Without wait the subflows are still running: there is nothing to merge yet (as in Kestra).
    if (wait === false) return {};
    const engine = engineOf(ctx);
    const execution = (await engine.executions.get(ctx.execution.id))?.execution;
    const self = execution?.taskRunList.find((r) => r.id === ctx.taskRun.id);
    const items = execution && self ? sibling(execution, self, `${forEachItem}_items`) : undefined;
    if (!items) throw new NonRetryableError("ForEachItem: the task run of the subflow executions is missing");
    // The subflows this `_items` task run started; after a restart, the latest one of each batch.
    const byIteration = new Map<number, Execution>();
    const children = (
      await engine.executions.search({
        tenantId: engine.tenantId,
        parentExecutionId: ctx.execution.id,
        size: 1_000_000,
        sort: "asc",
      })
    ).results.filter((x) => x.trigger?.variables?.taskRunId === items.id);
    for (const child of children) {
      const iteration = Number(child.trigger?.variables?.iteration ?? 0);
      const known = byIteration.get(iteration);
      if (!known || (child.state.startDate ?? "") >= (known.state.startDate ?? "")) byIteration.set(iteration, child);
    }
    const ordered = [...byIteration.entries()].sort(([a], [b]) => a - b).map(([, x]) => x);
    const text = ordered.map((x) => toIonText(x.outputs ?? {})).join("\n");
    return { subflowOutputs: await ctx.storage.putFile(Buffer.from(text ? `${text}\n` : ""), "outputs.ion") };
  },
});
