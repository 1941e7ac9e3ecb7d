import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openTestInstance, type TestInstance } from "../testing/testInstance.ts";
import { countAbruptStop } from "./abruptStops.ts";
import { loadConfig } from "./config.ts";
import { Instance } from "./instance.ts";

const SLEEP = `id: hang
namespace: unit.abrupt
tasks:
  - id: forever
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1H
`;

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

describe("countAbruptStop", () => {
  it("counts the running task run on its execution, and fails the execution at the limit", async () => {
    test = await openTestInstance({ overrides: { executor: { maxAbruptStops: 2 } } });
    const { instance } = test;
    const { flow } = await instance.deploy(SLEEP);
    const created = await instance.createExecution(flow.namespace, flow.id);
    // the task runs, its start is stored (the worker's RUNNING event, which a loaded machine may
    // deliver late, has been handled) and the executor has handled every message (none pending or
    // claimed, on any backend): only the task run is in flight
    await until(
      () =>
        instance.queue.claimed("worker").length === 1 &&
        instance.executions.get(created.id)?.execution.taskRunList[0]?.state.current === "RUNNING" &&
        instance.queue.size("executor") === 0,
    );
    const taskRunId = instance.executions.get(created.id)!.execution.taskRunList[0]!.id;

    await countAbruptStop(instance.context);
    const once = instance.executions.get(created.id)!;
    expect(once.executorState.interruptions).toEqual({ [taskRunId]: 1 });
    expect(once.execution.state.current).toBe("RUNNING");

    await countAbruptStop(instance.context);
    const failed = instance.executions.get(created.id)!;
    expect(failed.finished).toBe(true);
    expect(failed.execution.state.current).toBe("FAILED");
    expect(failed.execution.taskRunList[0]!.state.current).toBe("FAILED");
    expect(instance.queue.claimed("worker")).toEqual([]);
    const errors = instance.logs.find({ executionId: created.id, minLevel: "ERROR" }).map((l) => l.message);
    expect(errors).toEqual([
      "The server stopped abruptly 2 times while running task 'forever'; the execution is failed instead of being resumed again",
    ]);
  });

  it("counts the execution the executor was processing, and only that one", async () => {
    const home = mkdtempSync(join(tmpdir(), "saker-abrupt-"));
    const instance = await Instance.open(
      loadConfig({ env: {}, overrides: { home, executor: { maxAbruptStops: 1 } }, cwd: home }),
      { start: false },
    );
    try {
      const { flow } = await instance.deploy(SLEEP);
      const first = await instance.createExecution(flow.namespace, flow.id);
      const second = await instance.createExecution(flow.namespace, flow.id);
      expect(instance.queue.claim("executor", 10, "dead-process", 60_000)).toHaveLength(2);
      await countAbruptStop(instance.context);
      expect(instance.executions.get(first.id)!.execution.state.current).toBe("FAILED");
      expect(instance.logs.find({ executionId: first.id, minLevel: "ERROR" })[0]!.message).toBe(
        "The server stopped abruptly 1 time while processing this execution; the execution is failed instead of being resumed again",
      );
      expect(instance.executions.get(second.id)!.finished).toBe(false);
      expect(instance.executions.get(second.id)!.executorState.interruptions).toBeUndefined();
    } finally {
      await instance.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
