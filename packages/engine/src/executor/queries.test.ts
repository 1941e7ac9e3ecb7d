/**
 * The questions about task runs give the same answers whether the list is read run by run (up to
 * eight runs) or through the index's groups (longer lists): both are checked against
 * `isTaskRunFor`, on lists that grow one run at a time across that bound and whose runs change
 * state, as an execution's do.
 */
import { isRunning, isTerminated, type StateType } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import type { Execution, ResolvedTask, TaskNode, TaskRun } from "../model/execution.ts";
import { testTaskRun } from "../testing/taskRuns.ts";
import { markChanged } from "../model/taskRunIndex.ts";
import { countRuns, findTaskRunsByTasks, isTaskRunFor } from "./queries.ts";

const task = (id: string): TaskNode => ({ id, type: "io.kestra.plugin.core.debug.Return" }) as TaskNode;
const resolved = (id: string, value?: string): ResolvedTask => ({
  task: task(id),
  ...(value === undefined ? {} : { value }),
});

const run = (i: number, taskId: string, parent?: string, value?: string) =>
  testTaskRun(`r${i}`, taskId, { parent, value });

/** Runs of a ForEach (`each`, values a/b/c) with a child `inner` under each, and two root tasks. */
function runs(): TaskRun[] {
  const out: TaskRun[] = [run(0, "first"), run(1, "each")];
  for (const [i, value] of ["a", "b", "c"].entries()) {
    out.push(run(10 + i, "each", "r1", value));
    out.push(run(20 + i, "inner", `r${10 + i}`, value));
  }
  out.push(run(30, "last"), run(31, "first"));
  return out;
}

const lists: (readonly ResolvedTask[])[] = [
  [resolved("first")],
  [resolved("first"), resolved("last")],
  [resolved("each")],
  [resolved("each", "a"), resolved("each", "c")],
  [resolved("each", "b"), resolved("each")],
  [resolved("inner", "b")],
  [resolved("inner")],
  [resolved("missing")],
];
const parents = (list: readonly TaskRun[]) => [undefined, ...list.filter((t) => t.taskId === "each")];
const states: ((s: StateType) => boolean)[] = [() => true, isTerminated, isRunning];

describe("task run questions, read run by run or through the index", () => {
  it("match isTaskRunFor on every list length, before and after runs change state", () => {
    const all = runs();
    expect(all.length).toBeGreaterThan(8);
    const execution = { id: "x", taskRunList: [] as TaskRun[] } as unknown as Execution;
    let checked = 0;
    for (const next of all) {
      execution.taskRunList.push(next);
      for (const phase of ["as added", "after a change"]) {
        if (phase === "after a change") {
          // a run changed in place and logged, as the executor's working copy does it
          const changed = execution.taskRunList[execution.taskRunList.length - 1]!;
          changed.state = { ...changed.state, current: changed.taskId === "inner" ? "RUNNING" : "SUCCESS" };
          markChanged(execution.taskRunList, changed);
        }
        for (const list of lists)
          for (const parent of parents(execution.taskRunList)) {
            // no parent: runs under any parent, as isTaskRunFor takes them
            const expected = execution.taskRunList.filter((t) => list.some((r) => isTaskRunFor(r, t, parent)));
            expect(findTaskRunsByTasks(execution, list, parent).map((t) => t.id)).toEqual(expected.map((t) => t.id));
            for (const which of states)
              expect(countRuns(execution, list, parent, which)).toBe(
                expected.filter((t) => which(t.state.current)).length,
              );
            checked++;
          }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
