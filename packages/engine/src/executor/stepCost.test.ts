/**
 * The cost of one executor step does not grow with the task runs already in the execution: the
 * executor is driven as the runtime drives it (one working copy changed in place from step to
 * step), and the runs each step visits are counted by the index (`visits`), never timed.
 */
import { describe, expect, it } from "vitest";
import { defaultEngine } from "../expression/index.ts";
import type { Execution } from "../model/execution.ts";
import { compileFlowGraph } from "../flow/flowGraph.ts";
import { parseFlow } from "../flow/parseFlow.ts";
import { newState } from "../model/state.ts";
import { taskRunIndex, unfinishedRuns } from "../model/taskRunIndex.ts";
import { coreRegistry } from "../runtime/registryLoader.ts";
import { transition, type TransitionResult } from "./transition.ts";
import type { ExecutorEvent, ExecutorState, WorkerJob } from "./types.ts";
import { buildRunVariables } from "./variables.ts";

const ret = (id: string, indent: string, format = "{{ task.id }}") =>
  `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.debug.Return\n${indent}  format: "${format}"\n`;

const sequential = (n: number) =>
  `id: seq\nnamespace: t\ntasks:\n${Array.from({ length: n }, (_, i) => ret(`t${i}`, "  ")).join("")}`;

/** A ForEach over `n` values given as a variable (so that they are rendered). */
const forEach = (n: number) =>
  `id: each\nnamespace: t\nvariables:\n  list: ${JSON.stringify(Array.from({ length: n }, (_, i) => i))}\n` +
  `tasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: "{{ vars.list }}"\n    tasks:\n` +
  ret("inner", "      ", "{{ taskrun.value }}");

interface Run {
  execution: Execution;
  /** Index visits of each step (a worker result and what follows it). */
  visits: number[];
  /** What the last step reported as created or changed. */
  last: TransitionResult | undefined;
  /** Unfinished runs after each step. */
  unfinished: number[];
  /** Renders of each template. */
  renders: Map<string, number>;
}

/** Runs a flow to its end, answering each worker job with success, one step per job. */
async function drive(source: string): Promise<Run> {
  const registry = coreRegistry();
  const graph = compileFlowGraph({ ...parseFlow(source, { registry }), revision: 1 }, registry);
  let clock = Date.parse("2024-01-01T00:00:00.000Z");
  let ids = 0;
  const execution: Execution = {
    id: "x",
    namespace: graph.flow.namespace,
    flowId: graph.flow.id,
    flowRevision: 1,
    taskRunList: [],
    labels: [],
    state: newState(new Date(clock)),
    originalId: "x",
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: new Date(clock).toISOString() },
  };
  const out: Run = { execution, visits: [], last: undefined, unfinished: [], renders: new Map() };
  const deps = {
    now: () => new Date((clock += 1)),
    newId: () => `tr${++ids}`,
    render: (template: string, variables: Record<string, unknown>, typed: boolean) => {
      out.renders.set(template, (out.renders.get(template) ?? 0) + 1);
      return defaultEngine.renderAsync(template, variables, { typed });
    },
    renderValue: (value: unknown, variables: Record<string, unknown>) =>
      defaultEngine.renderValueAsync(value, variables),
    variables: buildRunVariables,
    countRunning: () => 0,
  };
  let state: ExecutorState = { dispatched: [] };
  let events: ExecutorEvent[] = [{ type: "process" }];
  for (let step = 0; step < 100_000 && events.length; step++) {
    const before = taskRunIndex(execution.taskRunList).visits;
    const result = await transition(graph, execution, state, events, deps);
    expect(result.execution).toBe(execution);
    out.visits.push(taskRunIndex(execution.taskRunList).visits - before);
    out.unfinished.push(unfinishedRuns(execution.taskRunList).length);
    out.last = result;
    state = result.state;
    const job = result.commands.find((c): c is { type: "run-task"; job: WorkerJob } => c.type === "run-task")?.job;
    const date = new Date((clock += 1)).toISOString();
    events = job
      ? [
          { type: "worker-started", taskRunId: job.taskRunId, attempt: job.attempt, date },
          {
            type: "worker-result",
            taskRunId: job.taskRunId,
            attempt: job.attempt,
            attemptState: "SUCCESS",
            state: "SUCCESS",
            outputs: { value: "v" },
            date,
          },
        ]
      : [];
  }
  return out;
}

/** The visits of the steps in the middle of a run (after the first steps, before the end). */
const middle = (visits: number[]) => visits.slice(5, -5);

describe("executor: the cost of a step", () => {
  it("visits as many task runs per step at 400 sequential tasks as at 40", async () => {
    const small = await drive(sequential(40));
    const large = await drive(sequential(400));
    expect(small.execution.state.current).toBe("SUCCESS");
    expect(large.execution.state.current).toBe("SUCCESS");
    expect(large.execution.taskRunList).toHaveLength(400);
    expect(Math.max(...middle(large.visits))).toBe(Math.max(...middle(small.visits)));
    expect(Math.max(...middle(large.visits))).toBeLessThan(40);
  });

  it("visits as many task runs per step in a ForEach over 400 values as over 40, and parses the values once", async () => {
    const small = await drive(forEach(40));
    const large = await drive(forEach(400));
    expect(large.execution.state.current).toBe("SUCCESS");
    expect(large.execution.taskRunList).toHaveLength(401);
    expect(large.execution.taskRunList.at(-1)!.value).toBe("399");
    expect(Math.max(...middle(large.visits))).toBe(Math.max(...middle(small.visits)));
    expect(Math.max(...middle(large.visits))).toBeLessThan(40);
    // the passes walk the unfinished runs only: the ForEach and its current child
    expect(Math.max(...large.unfinished)).toBeLessThanOrEqual(2);
    expect(large.renders.get("{{ vars.list }}")).toBe(1);
  });

  it("reports the task runs a step created or changed, not the others", async () => {
    const run = await drive(sequential(50));
    const changed = run.last!.changedTaskRuns.map((t) => t.taskId);
    expect(changed).toEqual(["t49"]);
  });
});
