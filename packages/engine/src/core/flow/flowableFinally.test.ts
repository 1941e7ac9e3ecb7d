import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineApi } from "../../api/index.ts";
import { openTestInstance, taskRuns, type TestInstance } from "../../testing/testInstance.ts";
import type { Execution } from "../../model/execution.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(async () => {
  await t.close();
});

const log = (id: string, message = id) => `{ id: ${id}, type: io.kestra.plugin.core.log.Log, message: ${message} }`;
const fail = (id: string) => `{ id: ${id}, type: io.kestra.plugin.core.execution.Fail }`;

/** The task ids of the execution's task runs in the order they started, with their end state. */
function started(x: Execution): string[] {
  return [...x.taskRunList]
    .sort((a, b) => a.state.histories[0]!.date.localeCompare(b.state.histories[0]!.date))
    .map((run) => `${run.taskId}${run.value !== undefined ? `[${run.value}]` : ""}:${run.state.current}`);
}

const startedAfter = (x: Execution, later: string, earlier: string) => {
  const start = (id: string) => taskRuns(x, id)[0]!.state.histories[0]!.date;
  const end = (id: string) => taskRuns(x, id)[0]!.state.histories.at(-1)!.date;
  return start(later) >= end(earlier);
};

describe("finally on flowable tasks (Kestra 1.x)", () => {
  it("Sequential runs finally after its tasks; a failure goes through errors first, and the flow stops there", async () => {
    const ok = await t.run(`id: seq_finally
namespace: finally.tests
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks: [${log("a")}, ${log("b")}]
    finally: [${log("f1")}, ${log("f2")}]
  - ${log("after")}
`);
    expect(ok.state.current).toBe("SUCCESS");
    expect(started(ok)).toEqual(["seq:SUCCESS", "a:SUCCESS", "b:SUCCESS", "f1:SUCCESS", "f2:SUCCESS", "after:SUCCESS"]);
    expect(startedAfter(ok, "f1", "b")).toBe(true);
    expect(startedAfter(ok, "after", "f2")).toBe(true);

    const failed = await t.run(`id: seq_finally_failed
namespace: finally.tests
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks: [${fail("a")}, ${log("skipped")}]
    errors: [${log("e")}]
    finally: [${log("f")}]
  - ${log("after")}
`);
    expect(failed.state.current).toBe("FAILED");
    expect(started(failed)).toEqual(["seq:FAILED", "a:FAILED", "e:SUCCESS", "f:SUCCESS"]);
    expect(startedAfter(failed, "f", "e")).toBe(true);

    // no errors branch: finally still runs, and the task fails after it
    const bare = await t.run(`id: seq_finally_bare
namespace: finally.tests
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks: [${fail("a")}]
    finally: [${log("f")}]
`);
    expect(bare.state.current).toBe("FAILED");
    expect(started(bare)).toEqual(["seq:FAILED", "a:FAILED", "f:SUCCESS"]);
  });

  it("Parallel, ForEach, If, Switch and Dag run their finally once, its tasks one after the other, after all of theirs", async () => {
    const x = await t.run(`id: many_finally
namespace: finally.tests
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks: [${log("p1")}, ${log("p2")}]
    finally: [${log("pf1")}, ${log("pf2")}]
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    concurrencyLimit: 0
    tasks: [${log("item", '"{{ taskrun.value }}"')}]
    finally: [${log("ef")}]
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "true"
    then: [${log("yes")}]
    finally: [${log("iff")}]
  - id: switch
    type: io.kestra.plugin.core.flow.Switch
    value: b
    cases:
      b: [${log("caseB")}]
    finally: [${log("sf")}]
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: ${log("d1")}
      - task: ${log("d2")}
        dependsOn: [d1]
    finally: [${log("df")}]
`);
    expect(x.state.current).toBe("SUCCESS");
    for (const id of ["pf1", "pf2", "ef", "iff", "sf", "df"]) expect(taskRuns(x, id)).toHaveLength(1);
    expect(startedAfter(x, "pf1", "p1") && startedAfter(x, "pf1", "p2")).toBe(true);
    // finally's own tasks run one after the other, even under a Parallel
    expect(startedAfter(x, "pf2", "pf1")).toBe(true);
    const items = taskRuns(x, "item");
    expect(items.map((run) => run.value).sort()).toEqual(["1", "2"]);
    for (const item of items) expect(taskRuns(x, "ef")[0]!.state.histories[0]!.date >= item.state.endDate!).toBe(true);
    expect(startedAfter(x, "iff", "yes")).toBe(true);
    expect(startedAfter(x, "sf", "caseB")).toBe(true);
    expect(startedAfter(x, "df", "d2")).toBe(true);
    // each finally ran before the next task of the flow
    expect(startedAfter(x, "each", "pf2")).toBe(true);
  });

  it("a parallel sibling still running is waited for before errors and finally", async () => {
    const x = await t.run(`id: par_fail_finally
namespace: finally.tests
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - ${fail("boom")}
      - { id: slow, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.5S }
    errors: [${log("e")}]
    finally: [${log("f")}]
`);
    expect(x.state.current).toBe("FAILED");
    expect(taskRuns(x, "slow")[0]!.state.current).toBe("SUCCESS");
    expect(startedAfter(x, "e", "slow")).toBe(true);
    expect(startedAfter(x, "f", "e")).toBe(true);
  });

  it("a restart runs the tasks left and the finally again", async () => {
    const api = createEngineApi(t.instance);
    await t.instance.deploy(`id: restart_finally
namespace: finally.tests
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: a
        type: io.kestra.plugin.core.execution.Fail
        runIf: "{{ kv('restart_finally_ok', errorOnMissing=false) != 'yes' }}"
      - ${log("b")}
    finally: [${log("f")}]
  - ${log("after")}
`);
    const failed = await api.executions.waitForEnd(
      (await api.executions.create("finally.tests", "restart_finally")).id,
      10_000,
    );
    expect(failed.state.current).toBe("FAILED");
    expect(taskRuns(failed, "f")).toHaveLength(1);
    await api.kv.of("finally.tests").set("restart_finally_ok", "yes");
    await api.executions.restart(failed.id);
    const again = await api.executions.waitForEnd(failed.id, 10_000);
    expect(again.state.current).toBe("SUCCESS");
    for (const id of ["b", "f", "after"]) expect(taskRuns(again, id).map((r) => r.state.current)).toEqual(["SUCCESS"]);
    expect(startedAfter(again, "f", "b")).toBe(true);
  });

  it("an errors branch runs one task after the other under a Parallel, with or without finally", async () => {
    const x = await t.run(`id: par_errors
namespace: finally.tests
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks: [${fail("boom")}]
    errors:
      - { id: e1, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.2S }
      - ${log("e2")}
`);
    expect(x.state.current).toBe("FAILED");
    expect(startedAfter(x, "e2", "e1")).toBe(true);
  });

  it("a flow whose finally names an unknown property is still refused, naming its YAML path", async () => {
    await expect(
      t.instance.deploy(`id: bad_finally
namespace: finally.tests
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks: [${log("a")}]
    finally:
      - { id: f, type: io.kestra.plugin.core.log.Log, mesage: typo }
`),
    ).rejects.toThrow(/tasks\[0\]\.finally\[0\]\.mesage/);
  });
});
