/**
 * A flow's concurrency limit applies to an execution restarted after it failed, as to a created
 * one (Kestra 1.x): over the limit it is queued (and runs on once a slot frees) or cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineApi, type EngineApi } from "../api/index.ts";
import { eventually, openTestInstance, taskRun, taskRuns, type TestInstance } from "../testing/testInstance.ts";

const limited = (id: string, behavior: string) => `id: ${id}
namespace: limits.restart
inputs:
  - id: nap
    type: DURATION
    defaults: PT0S
concurrency:
  limit: 1
  behavior: ${behavior}
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: "{{ inputs.nap }}"
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ kv('mode') == 'fail' }}"
`;

let t: TestInstance;
let api: EngineApi;
beforeAll(async () => {
  t = await openTestInstance();
  api = createEngineApi(t.instance);
  await t.instance.deploy(limited("queues", "QUEUE"));
  await t.instance.deploy(limited("cancels", "CANCEL"));
});
afterAll(() => t?.close());

/** What the flows' `check` task reads: `fail` makes it fail. */
const setMode = (mode: string) => api.kv.of("limits.restart").set("mode", mode);

/** A failed execution of `flowId`, and another one of it RUNNING (holding the flow's one slot). */
async function failedBesideARunningOne(flowId: string) {
  await setMode("fail");
  const failed = await api.executions.waitForEnd((await api.executions.create("limits.restart", flowId)).id, 10_000);
  expect(failed.state.current).toBe("FAILED");
  await setMode("pass");
  const running = await api.executions.create("limits.restart", flowId, { inputs: { nap: "PT1.5S" } });
  await eventually(async () => ((await api.executions.status(running.id))?.state === "RUNNING" ? true : undefined));
  return { failed, running };
}

const historyOf = (states: { state: string }[]) => states.map((h) => h.state);

describe("a flow's concurrency limit and a restart after a failure", () => {
  it("QUEUE: the restarted execution waits for the slot, then runs on from the task that failed", async () => {
    const { failed, running } = await failedBesideARunningOne("queues");
    await api.executions.restart(failed.id);
    const queued = await eventually(async () => {
      const x = await api.executions.get(failed.id);
      return x.state.current === "QUEUED" ? x : undefined;
    });
    expect(historyOf(queued.state.histories).slice(-3)).toEqual(["FAILED", "RESTARTED", "QUEUED"]);
    expect(taskRun(queued, "check").state.current).toBe("RESTARTED");
    expect((await api.executions.status(running.id))?.state).toBe("RUNNING");

    expect((await api.executions.waitForEnd(running.id, 10_000)).state.current).toBe("SUCCESS");
    const ended = await api.executions.waitForEnd(failed.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(historyOf(ended.state.histories).slice(-4)).toEqual(["RESTARTED", "QUEUED", "RUNNING", "SUCCESS"]);
    expect(taskRun(ended, "check").state.current).toBe("SUCCESS");
    // from the task that failed: the one before it ran once, before the restart
    expect(taskRuns(ended, "nap").map((t) => t.state.current)).toEqual(["SUCCESS"]);
  });

  it("CANCEL: the restarted execution and the task runs it reset are cancelled", async () => {
    const { failed, running } = await failedBesideARunningOne("cancels");
    await api.executions.restart(failed.id);
    const cancelled = await api.executions.waitForEnd(failed.id, 10_000);
    expect(cancelled.state.current).toBe("CANCELLED");
    expect(taskRun(cancelled, "check").state.current).toBe("CANCELLED");
    expect((await api.executions.waitForEnd(running.id, 10_000)).state.current).toBe("SUCCESS");
  });

  it("a restart with a free slot runs at once", async () => {
    await setMode("fail");
    const failed = await api.executions.waitForEnd(
      (await api.executions.create("limits.restart", "queues")).id,
      10_000,
    );
    await setMode("pass");
    await api.executions.restart(failed.id);
    const ended = await api.executions.waitForEnd(failed.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(historyOf(ended.state.histories).slice(-3)).toEqual(["RESTARTED", "RUNNING", "SUCCESS"]);
  });
});
