/**
 * The executor's working copy on a shared database (PostgreSQL): another process writing the
 * execution (its write hook never reaches this one) makes the copy stale, and the commit of a step
 * made from it fails on the execution's revision: the step is redone from the database, whose
 * change is kept.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { openTestInstance, type TestInstance, testBackend } from "../testing/testInstance.ts";

let test: TestInstance | undefined;
let other: PostgresBackend | undefined;
afterEach(async () => {
  await other?.close();
  other = undefined;
  await test?.close();
  test = undefined;
});

const FLOW = `id: paused
namespace: unit.shared
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
    const stored = (await other.executions.load(paused.id))!;
    expect(stored.stored.execution).toEqual(ended);
  });
});
