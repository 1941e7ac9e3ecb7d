/**
 * Guard: no execution hangs. Each flow below mixes retries with executor tasks (Subflow,
 * ForEachItem) and loops, the combinations where a task run once stayed CREATED forever. Each must
 * end within the deadline; if one does not, the wait's error names the execution, its state and
 * every task run's state and attempts. A retried task run must also never be created twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, taskRuns, type TestInstance } from "../testing/testInstance.ts";

const DEADLINE_MS = 20_000;
let t: TestInstance;

beforeAll(async () => {
  t = await openTestInstance();
  await t.instance.deploy(`id: fails
namespace: nohang.tests
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
`);
  await t.instance.deploy(`id: ok
namespace: nohang.tests
inputs:
  - id: items
    type: STRING
    required: false
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: hello
`);
});
afterAll(async () => {
  await t.close();
});

const retry = (maxAttempt: number) => `retry:\n  type: constant\n  interval: PT0.05S\n  maxAttempt: ${maxAttempt}\n`;

const cases: { name: string; flow: string; state: string; attempts?: Record<string, number> }[] = [
  {
    name: "flow-level retry on a Subflow whose child fails",
    flow: `id: flow-retry-subflow\nnamespace: nohang.tests\n${retry(3)}tasks:\n  - id: subflow\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: nohang.tests\n    flowId: fails\n`,
    state: "FAILED",
    attempts: { subflow: 3 },
  },
  {
    name: "task retry on a Subflow whose child fails",
    flow: `id: task-retry-subflow\nnamespace: nohang.tests\ntasks:\n  - id: subflow\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: nohang.tests\n    flowId: fails\n    ${retry(4).trimEnd().split("\n").join("\n    ")}\n`,
    state: "FAILED",
    attempts: { subflow: 4 },
  },
  {
    name: "task retry on Subflows inside a concurrent ForEach",
    flow: `id: foreach-retry-subflow\nnamespace: nohang.tests\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [a, b, c]\n    concurrencyLimit: 2\n    tasks:\n      - id: subflow\n        type: io.kestra.plugin.core.flow.Subflow\n        namespace: nohang.tests\n        flowId: fails\n        ${retry(3).trimEnd().split("\n").join("\n        ")}\n`,
    state: "FAILED",
  },
  {
    name: "a retried Subflow inside a loop",
    flow: `id: loop-retry-subflow\nnamespace: nohang.tests\ntasks:\n  - id: loop\n    type: io.kestra.plugin.core.flow.LoopUntil\n    condition: "false"\n    checkFrequency:\n      maxIterations: 2\n      interval: PT0.05S\n    tasks:\n      - id: subflow\n        type: io.kestra.plugin.core.flow.Subflow\n        namespace: nohang.tests\n        flowId: ok\n        ${retry(2).trimEnd().split("\n").join("\n        ")}\n      - id: flaky\n        type: io.kestra.plugin.core.execution.Fail\n        condition: "{{ taskrun.attemptsCount < 1 }}"\n        ${retry(2).trimEnd().split("\n").join("\n        ")}\n`,
    state: "SUCCESS",
  },
  {
    name: "flow-level retry on a ForEachItem whose subflows fail",
    flow: `id: flow-retry-foreachitem\nnamespace: nohang.tests\n${retry(2)}tasks:\n  - id: write\n    type: io.kestra.plugin.core.storage.Write\n    content: "1\\n2\\n3\\n"\n    extension: .txt\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "{{ outputs.write.uri }}"\n    batch:\n      rows: 2\n    namespace: nohang.tests\n    flowId: fails\n`,
    state: "FAILED",
    attempts: { each_items: 2 },
  },
  {
    name: "a task, then a retried Subflow, in a Sequential",
    flow: `id: seq-retry-subflow\nnamespace: nohang.tests\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: first\n        type: io.kestra.plugin.core.debug.Return\n        format: one\n      - id: subflow\n        type: io.kestra.plugin.core.flow.Subflow\n        namespace: nohang.tests\n        flowId: fails\n        ${retry(3).trimEnd().split("\n").join("\n        ")}\n`,
    state: "FAILED",
    attempts: { subflow: 3 },
  },
  {
    name: "task retry on a failing task, then a Subflow",
    flow: `id: task-retry-then-subflow\nnamespace: nohang.tests\ntasks:\n  - id: flaky\n    type: io.kestra.plugin.core.execution.Fail\n    condition: "{{ taskrun.attemptsCount < 2 }}"\n    ${retry(3).trimEnd().split("\n").join("\n    ")}\n  - id: subflow\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: nohang.tests\n    flowId: ok\n`,
    state: "SUCCESS",
    attempts: { flaky: 3, subflow: 1 },
  },
];

describe("no execution hangs", () => {
  for (const c of cases) {
    it(
      c.name,
      async () => {
        const x = await t.run(c.flow, {}, DEADLINE_MS);
        expect(x.state.current, c.name).toBe(c.state);
        // A retried task run is run again in place: never a second task run for the same task.
        const keys = x.taskRunList.map((r) => `${r.parentTaskRunId ?? ""}/${r.taskId}[${r.value ?? ""}]`);
        expect(
          keys.filter((k, i) => keys.indexOf(k) !== i),
          "duplicated task runs",
        ).toEqual([]);
        for (const [taskId, attempts] of Object.entries(c.attempts ?? {})) {
          for (const run of taskRuns(x, taskId)) expect(run.attempts?.length, `${taskId} attempts`).toBe(attempts);
        }
      },
      DEADLINE_MS + 5_000,
    );
  }
});
