/** Subflow `restartBehavior`: what a restarted parent does with the child execution that failed. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import type { Execution } from "../../model/execution.ts";
import { openTestInstance, outputsOf, taskRun, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
  await t.instance.deploy(`id: child
namespace: company.restart
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ kv('mode') == 'fail' }}"
    errorMessage: told to fail
`);
});
afterAll(() => t.close());

const setMode = (mode: string) =>
  t.run(`id: mode
namespace: company.restart
tasks:
  - id: set
    type: io.kestra.plugin.core.kv.Set
    key: mode
    value: ${mode}
`);

const childOf = (x: Execution, taskId: string) => t.instance.getExecution(String(outputsOf(x, taskId).executionId));

describe("Subflow restartBehavior", () => {
  it("RETRY_FAILED (default) restarts the failed child; NEW_EXECUTION starts another one", async () => {
    await setMode("fail");
    const failed = await t.run(`id: parent
namespace: company.restart
tasks:
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: retried
        type: io.kestra.plugin.core.flow.Subflow
        namespace: company.restart
        flowId: child
      - id: renewed
        type: io.kestra.plugin.core.flow.Subflow
        namespace: company.restart
        flowId: child
        restartBehavior: NEW_EXECUTION
`);
    expect(failed.state.current).toBe("FAILED");
    const firstRetried = await childOf(failed, "retried");
    const firstRenewed = await childOf(failed, "renewed");
    expect([firstRetried.state.current, firstRenewed.state.current]).toEqual(["FAILED", "FAILED"]);

    await setMode("ok");
    await t.instance.restart(failed.id);
    const restarted = await t.instance.waitForSettled(failed.id, 20_000);
    expect(restarted.state.current).toBe("SUCCESS");

    // the same child, restarted in place
    expect(outputsOf(restarted, "retried").executionId).toBe(firstRetried.id);
    const retriedChild = await childOf(restarted, "retried");
    expect(retriedChild.state.current).toBe("SUCCESS");
    expect(retriedChild.state.histories.map((h) => h.state)).toContain("RESTARTED");

    // a new child; the first one stays failed
    expect(outputsOf(restarted, "renewed").executionId).not.toBe(firstRenewed.id);
    expect((await childOf(restarted, "renewed")).state.current).toBe("SUCCESS");
    expect((await t.instance.getExecution(firstRenewed.id)).state.current).toBe("FAILED");
    expect(taskRun(restarted, "retried").state.current).toBe("SUCCESS");
  });

  it("starts a new child when the parent is restarted as another revision (a new execution)", async () => {
    await setMode("fail");
    const parent = (description: string) => `id: parentrev
namespace: company.restart
description: ${description}
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.restart
    flowId: child
`;
    const failed = await t.run(parent("first"));
    expect(failed.state.current).toBe("FAILED");
    const firstChild = String(outputsOf(failed, "sub").executionId);
    const { flow } = await t.instance.deploy(parent("second"));
    await setMode("ok");
    const restarted = await t.instance.restart(failed.id, flow.revision);
    expect(restarted.id).not.toBe(failed.id);
    const done = await t.instance.waitForSettled(restarted.id, 20_000);
    expect(done.state.current).toBe("SUCCESS");
    expect(outputsOf(done, "sub").executionId).not.toBe(firstChild);
    expect((await t.instance.getExecution(firstChild)).state.current).toBe("FAILED");
  });

  it("ForEachItem: RETRY_FAILED restarts only the failed batches' children; NEW_EXECUTION starts all again", async () => {
    await t.instance.deploy(`id: batch
namespace: company.restart
inputs:
  - id: items
    type: STRING
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ kv('mode') == 'fail' and (read(inputs.items) contains 'b') }}"
`);
    await t.instance.storage.put("/company/restart/_files/items.txt", Buffer.from("a\nb\nc\n"));
    const parent = (id: string, behavior: string) => `id: ${id}
namespace: company.restart
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: kestra:///company/restart/_files/items.txt
    batch:
      rows: 1
    namespace: company.restart
    flowId: batch
    inputs:
      items: "{{ taskrun.items }}"
${behavior}`;
    const children = async (x: Execution) =>
      (await Promise.all(t.instance.executions.childIds(x.id).map((id) => t.instance.getExecution(id)))).sort(
        (a, b) => Number(a.trigger?.variables?.iteration) - Number(b.trigger?.variables?.iteration),
      );
    for (const [id, behavior, expectedChildren] of [
      ["eachretry", "", 3],
      ["eachnew", "    restartBehavior: NEW_EXECUTION\n", 6],
    ] as const) {
      await setMode("fail");
      const failed = await t.run(parent(id, behavior));
      expect(failed.state.current).toBe("FAILED");
      const before = await children(failed);
      expect(before.map((c) => c.state.current)).toEqual(["SUCCESS", "FAILED", "SUCCESS"]);
      await setMode("ok");
      await t.instance.restart(failed.id);
      const done = await t.instance.waitForSettled(failed.id, 20_000);
      expect(done.state.current).toBe("SUCCESS");
      const after = await children(done);
      expect(after).toHaveLength(expectedChildren);
      expect(outputsOf(done, "each_items").iterations).toMatchObject({ SUCCESS: 3 });
      if (expectedChildren === 3) {
        expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
        expect(after.map((c) => c.state.current)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
        expect(after[1]!.state.histories.map((h) => h.state)).toContain("RESTARTED");
        expect(after[0]!.state.histories.map((h) => h.state)).not.toContain("RESTARTED");
      }
    }
  });

  it("refuses an unknown restartBehavior", () => {
    let error: unknown;
    try {
      t.instance.flows.deploy(`id: badrestart
namespace: company.restart
tasks:
  - id: s
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.restart
    flowId: child
    restartBehavior: RETRY_ALL
`);
    } catch (e) {
      error = e;
    }
    expect(isSakerError(error) && error.message).toMatch(/tasks\[0\]\.restartBehavior.*RETRY_FAILED.*NEW_EXECUTION/s);
  });
});
