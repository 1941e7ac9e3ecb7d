/** `RunContext.executionSummary` as the worker implements it: the link needs `server.url`, other tenants' executions are not seen. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestInstance, type TestInstance } from "../testing/testInstance.ts";
import { readExecutionSummary } from "./executionSummary.ts";

let test: TestInstance;
beforeAll(async () => {
  test = await openTestInstance();
});
afterAll(async () => test?.close());

it("summarizes an execution, with a link only when server.url is set, and only in its tenant", async () => {
  const x = await test.run(`id: summary
namespace: company.team
labels:
  team: data
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
`);
  const summary = readExecutionSummary(test.instance.executions, "main", undefined, x.id);
  expect(summary).toEqual({
    id: x.id,
    namespace: "company.team",
    flowId: "summary",
    state: "SUCCESS",
    startDate: x.state.startDate,
    endDate: x.state.endDate,
    duration: x.state.duration,
    labels: expect.arrayContaining([{ key: "team", value: "data" }]),
    taskRuns: [{ id: x.taskRunList[0]!.id, taskId: "hello", state: "SUCCESS" }],
  });
  expect(readExecutionSummary(test.instance.executions, "main", "https://s.example/base//", x.id)?.url).toBe(
    `https://s.example/base/ui/main/executions/company.team/summary/${x.id}`,
  );
  expect(readExecutionSummary(test.instance.executions, "other", undefined, x.id)).toBeUndefined();
  expect(readExecutionSummary(test.instance.executions, "main", undefined, "missing")).toBeUndefined();
});
