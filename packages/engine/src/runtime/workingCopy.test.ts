/**
 * The executor's working copy of a running execution (kept between steps instead of reading the
 * execution again) on a real instance: a write by anyone else wins over it, and the execution on
 * disk is the one the executor worked on. On a shared database (PostgreSQL) another process's
 * write never reaches this one's write hook: the commit of a step made from the stale copy fails on
 * the execution's revision, and the step is redone from the database, whose change is kept.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Execution } from "../model/execution.ts";
import { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { openTestInstance, type TestInstance, testBackend } from "../testing/testInstance.ts";

/** For the tests that look at SQLite itself (its statements, a trigger refusing writes, a synchronous store write). */
const itSql = testBackend() === "postgres" ? it.skip : it;

let test: TestInstance | undefined;
let other: PostgresBackend | undefined;
afterEach(async () => {
  await other?.close();
  other = undefined;
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

/** Resumes the paused execution and checks that it ended with the outside writer's change kept. */
async function resumedWithOutsideChange(instance: TestInstance["instance"], id: string): Promise<Execution> {
  await instance.resume(id);
  const ended = await instance.waitForEnd(id, 20_000);
  expect(ended.state.current).toBe("SUCCESS");
  expect(ended.labels).toContainEqual({ key: "from", value: "outside" });
  expect(ended.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([
    ["a", "SUCCESS"],
    ["wait", "SUCCESS"],
    ["b", "SUCCESS"],
  ]);
  expect(ended.taskRunList[2]!.outputs).toEqual({ value: "ab" });
  return ended;
}

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

    const ended = await resumedWithOutsideChange(instance, paused.id);
    // the working copy was dropped before the resume's step (the write hook): nothing to redo
    expect(instance.status().executor.stepsRedone).toBe(0);
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

describe.skipIf(testBackend() !== "postgres")("the executor's working copy on a shared database", () => {
  it.each([
    ["in the pipeline", true],
    ["committing batch by batch", false],
  ])("is not used once another process wrote the execution, whose change is kept (%s)", async (_, pipeline) => {
    test = await openTestInstance();
    const { instance } = test;
    instance.executor.pipeline = pipeline;
    const paused = await test.run(FLOW);
    expect(paused.state.current).toBe("PAUSED");

    // another process changes the paused execution behind this one's executor
    const { url, schema } = instance.config.database;
    if (!url) throw new Error("a PostgreSQL instance was expected");
    other = await PostgresBackend.open({ url, ...(schema ? { schema } : {}) });
    const loaded = (await other.executions.load(paused.id))!;
    const changed = {
      ...loaded.stored.execution,
      labels: [...loaded.stored.execution.labels, { key: "from", value: "outside" }],
    };
    await other.transaction((tx) =>
      tx.executions.update(changed, loaded.stored.executorState, false, loaded.runs, loaded.revision),
    );

    expect(instance.status().executor.stepsRedone).toBe(0);
    const ended = await resumedWithOutsideChange(instance, paused.id);
    const stored = (await other.executions.load(paused.id))!;
    expect(stored.stored.execution).toEqual(ended);
    // the resume's step, made from the stale copy, failed its fence and was redone: alone, or in
    // the pipeline with the step its job's result made from it meanwhile
    const redone = instance.status().executor.stepsRedone!;
    expect(redone).toBeGreaterThanOrEqual(1);
    expect(redone).toBeLessThanOrEqual(pipeline ? 2 : 1);
  });
});
