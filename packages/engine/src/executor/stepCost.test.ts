/**
 * The cost of one executor step does not grow with the task runs already in the execution: the
 * executor is driven as the runtime drives it (one working copy changed in place from step to
 * step), and the runs each step visits are counted by the index (`visits`), never timed.
 */
import { describe, expect, it } from "vitest";
import type { Execution } from "../model/execution.ts";
import { taskRunIndex, unfinishedRuns } from "../model/taskRunIndex.ts";
import { simulate } from "../testing/simulate.ts";

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
  /** Unfinished runs after each step. */
  unfinished: number[];
  /** Renders of each template. */
  renders: Map<string, number>;
}

/** Runs a flow to its end in place, as the runtime drives it, each worker job answered at once. */
async function drive(source: string): Promise<Run> {
  const out: Omit<Run, "execution"> = { visits: [], unfinished: [], renders: new Map() };
  let execution: Execution | undefined;
  const sim = await simulate(source, {
    inPlace: true,
    maxRounds: 100_000,
    onRender: (template) => out.renders.set(template, (out.renders.get(template) ?? 0) + 1),
    aroundStep: async (step) => {
      const before = execution ? taskRunIndex(execution.taskRunList).visits : 0;
      const result = await step();
      if (execution) expect(result.execution).toBe(execution);
      execution = result.execution;
      out.visits.push(taskRunIndex(execution.taskRunList).visits - before);
      out.unfinished.push(unfinishedRuns(execution.taskRunList).length);
      return result;
    },
  });
  return { ...out, execution: sim.execution };
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
});
