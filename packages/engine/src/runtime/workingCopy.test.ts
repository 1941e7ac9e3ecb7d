/**
 * The executor's working copy of a running execution (kept between steps instead of reading the
 * execution again) on a real instance: a write by anyone else wins over it, and the execution on
 * disk is the one the executor worked on.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openTestInstance, type TestInstance, testBackend } from "../testing/testInstance.ts";

/** For the tests that look at SQLite itself (its statements, a trigger refusing writes, a synchronous store write). */
const itSql = testBackend() === "postgres" ? it.skip : it;

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const FLOW = `id: paused
namespace: unit.working
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: "a"
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: b
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.a.value }}b"
`;

describe("the executor's working copy", () => {
  itSql("is dropped when someone else writes the execution, whose change is kept", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const paused = await test.run(FLOW);
    expect(paused.state.current).toBe("PAUSED");

    // another writer (as an API call would) changes the paused execution behind the executor
    const stored = instance.executions.get(paused.id)!;
    stored.execution.labels = [...stored.execution.labels, { key: "from", value: "outside" }];
    instance.executions.update(stored.execution, stored.executorState, false);

    await instance.resume(paused.id);
    const ended = await instance.waitForEnd(paused.id, 20_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(ended.labels).toContainEqual({ key: "from", value: "outside" });
    expect(ended.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([
      ["a", "SUCCESS"],
      ["wait", "SUCCESS"],
      ["b", "SUCCESS"],
    ]);
    expect(ended.taskRunList[2]!.outputs).toEqual({ value: "ab" });
    // what the API sends (the stored text) is the same execution
    expect(JSON.parse(instance.executions.text(paused.id)!.json)).toEqual(ended);
  });

  it("keeps every task run of a long execution on disk, step after step", async () => {
    test = await openTestInstance();
    const tasks = Array.from(
      { length: 30 },
      (_, i) => `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }}"\n`,
    ).join("");
    const ended = await test.run(`id: long\nnamespace: unit.working\ntasks:\n${tasks}`);
    expect(ended.state.current).toBe("SUCCESS");
    expect(ended.taskRunList.map((r) => r.outputs)).toEqual(Array.from({ length: 30 }, (_, i) => ({ value: `t${i}` })));
    expect(
      ended.taskRunList.every((r) => r.state.histories.map((h) => h.state).join() === "CREATED,RUNNING,SUCCESS"),
    ).toBe(true);
  });
});
