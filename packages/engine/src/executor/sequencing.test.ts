/**
 * A Parallel's next task runs are the same whether its runs are few (read run by run, a new array
 * at every call) or many (set lookups kept with the array): checked against `isTaskRunFor`, on a
 * list that grows one run at a time across that bound, out of order, with runs ending meanwhile.
 */
import { isCreated, isRunning } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import type { Execution, ResolvedTask, TaskNode, TaskRun } from "../model/execution.ts";
import { testTaskRun } from "../testing/taskRuns.ts";
import { markChanged } from "../model/taskRunIndex.ts";
import { isTaskRunFor } from "./queries.ts";
import { resolveParallelNexts } from "./sequencing.ts";

const task = (id: string): TaskNode => ({ id, type: "io.kestra.plugin.core.debug.Return" }) as TaskNode;

/** A Parallel's twelve tasks, or a ForEach's one task over twelve values (told apart by value only). */
const cases = {
  Parallel: Array.from({ length: 12 }, (_, i) => ({ task: task(`t${i}`), parentId: "p" })),
  ForEach: Array.from({ length: 12 }, (_, i) => ({ task: task("inner"), parentId: "p", value: `v${i}` })),
};

describe("resolveParallelNexts", () => {
  it.each(Object.entries(cases))(
    "%s: gives the tasks without a run, up to the concurrency, at every number of runs",
    (_, tasks: ResolvedTask[]) => {
      const parent = testTaskRun("p", "parallel", { state: "RUNNING" });
      const execution = {
        id: "x",
        state: { current: "RUNNING" },
        taskRunList: [parent] as TaskRun[],
      } as unknown as Execution;
      const input = { execution, tasks, errors: undefined, parent, retryOf: () => undefined };
      // started out of order: the second half first, then the first
      const order = [6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5];
      let checked = 0;
      for (const [n, i] of [undefined, ...order].entries()) {
        if (i !== undefined)
          execution.taskRunList.push(testTaskRun(`r${i}`, tasks[i]!.task.id, { parent: "p", value: tasks[i]!.value }));
        // every other new run ends at once, as a fast task's does
        if (n % 2 === 0 && n > 0) {
          const ended = execution.taskRunList[execution.taskRunList.length - 1]!;
          ended.state = { ...ended.state, current: "SUCCESS" };
          markChanged(execution.taskRunList, ended);
        }
        const runs = execution.taskRunList.filter((r) => tasks.some((t) => isTaskRunFor(t, r, parent)));
        const notStarted = tasks.filter((t) => !runs.some((r) => isTaskRunFor(t, r, parent)));
        const running = runs.filter((r) => isRunning(r.state.current) || isCreated(r.state.current)).length;
        for (const concurrency of [0, 3, 8]) {
          const expected =
            concurrency === 0 ? notStarted : running >= concurrency ? [] : notStarted.slice(0, concurrency - running);
          // asked twice: an answer kept from the first call must still hold
          for (let again = 0; again < 2; again++) expect(resolveParallelNexts(input, concurrency)).toEqual(expected);
          checked++;
        }
      }
      expect(execution.taskRunList.length).toBeGreaterThan(8);
      expect(checked).toBe(39);
    },
  );
});
