/**
 * The executor commits the steps of a batch's executions in one transaction; when that fails for
 * another reason than a full disk, each step is committed alone. A step written again after a
 * rolled-back attempt must write everything it changed, not only what the failed attempt left.
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

const flow = (id: string) => `id: ${id}
namespace: unit.group
tasks:
  - id: tag
    type: io.kestra.plugin.core.execution.Labels
    labels:
      team: data
`;

describe("executor group commit", () => {
  itSql("commits the healthy step of a failed group alone, with every task run it changed on disk", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const healthy = (await instance.deploy(flow("healthy"))).flow;
    const doomed = (await instance.deploy(flow("doomed"))).flow;
    // Any update of the doomed execution fails, so a group holding its step fails as a whole.
    instance.db.exec(
      "CREATE TEMP TRIGGER refuse_doomed BEFORE UPDATE ON executions WHEN NEW.flow_id = 'doomed' " +
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    );
    const a = await instance.buildExecution(healthy, {});
    const b = await instance.buildExecution(doomed, {});
    // one transaction, one wake-up: the executor claims both first messages in one batch
    await instance.startExecutions([a, b]);

    const ended = await instance.waitForEnd(a.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    // what the database holds, not the executor's working copy
    const stored = instance.executions.get(a.id)!.execution;
    expect(stored.state.current).toBe("SUCCESS");
    expect(stored.taskRunList.map((run) => [run.taskId, run.state.current])).toEqual([["tag", "SUCCESS"]]);
    expect(stored.labels).toContainEqual({ key: "team", value: "data" });

    // the doomed step was rolled back and dropped: its execution is as it was created
    expect(instance.executions.get(b.id)!.execution.state.current).toBe("CREATED");
  });
});
