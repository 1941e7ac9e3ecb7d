import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, taskRuns, type TestInstance } from "../../testing/testInstance.ts";

// Kestra's own test flow (core/src/test/resources/flows/valids/state.yaml), unchanged.
const STATE_FLOW = readFileSync(new URL("./testdata/state.yaml", import.meta.url), "utf8");

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const outputs = (x: Awaited<ReturnType<TestInstance["run"]>>, taskId: string, value?: string) =>
  taskRuns(x, taskId).find((r) => value === undefined || r.value === value)?.outputs as Record<string, unknown>;

describe("state.Set / Get / Delete", () => {
  it("creates, updates then deletes a state across executions", async () => {
    const first = await t.run(STATE_FLOW, { state: "s1" });
    expect(first.state.current).toBe("SUCCESS");
    expect(first.taskRunList).toHaveLength(5);
    expect(outputs(first, "createGet")).toEqual({ count: 1, data: { value: 1 } });

    const second = await t.run(STATE_FLOW, { state: "s1" });
    expect(outputs(second, "updateGet")).toEqual({ count: 1, data: { value: "2" } });

    const third = await t.run(STATE_FLOW, { state: "s1" });
    expect(outputs(third, "delete")).toEqual({ deleted: true });
    expect(outputs(third, "deleteGet")).toEqual({ count: 0, data: {} });
  });

  it("keeps one state per taskrun.value unless taskrunValue is false", async () => {
    const x = await t.run(STATE_FLOW, { state: "each" });
    expect(x.state.current).toBe("SUCCESS");
    expect(x.taskRunList).toHaveLength(17);
    expect((outputs(x, "regetEach1", "b").data as Record<string, unknown>).value).toBe("null-b");
    expect((outputs(x, "regetEach2", "b").data as Record<string, unknown>).value).toBe("null-a-b");
  });

  it("shares a namespace state between flows, and fails on a missing state when asked", async () => {
    const writer = `id: writer
namespace: company.state
tasks:
  - id: set
    type: io.kestra.core.tasks.states.Set
    namespace: true
    name: shared
    data:
      who: writer
`;
    const reader = `id: reader
namespace: company.state
tasks:
  - id: get
    type: io.kestra.plugin.core.state.Get
    namespace: true
    name: shared
  - id: own
    type: io.kestra.plugin.core.state.Get
    name: shared
    errorOnMissing: true
`;
    const written = await t.run(writer);
    expect(outputs(written, "set")).toMatchObject({
      count: 1,
      key: expect.stringMatching(/^kestra:\/\/\/company\/state\/states\/tasks-states\/shared$/),
    });
    const read = await t.run(reader);
    expect(outputs(read, "get")).toEqual({ count: 1, data: { who: "writer" } });
    expect(taskRuns(read, "own")[0]!.state.current).toBe("FAILED");
    const logs = t.instance.logs.find({ executionId: read.id, taskId: "own", minLevel: "ERROR" });
    expect(logs.map((l) => l.message)).toContain("Unable to find the state file 'shared'");
  });
});
