import { describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { newState, withState } from "../../model/state.ts";
import { statusKey } from "../records.ts";
import { openDatabase } from "./database.ts";
import { ExecutionStore } from "./executionStore.ts";

function execution(id: string): Execution {
  return {
    id,
    namespace: "company",
    flowId: "flow",
    flowRevision: 1,
    taskRunList: [],
    labels: [],
    state: newState(new Date("2026-01-01T00:00:00.000Z")),
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: "2026-01-01T00:00:00.000Z" },
  } as unknown as Execution;
}

describe("ExecutionStore.update and the status fields", () => {
  const store = new ExecutionStore(openDatabase(":memory:"));
  const state = { dispatched: [] };
  const row = (id: string) => store.status(id);

  it("reads the status key back with the execution", () => {
    const x = execution("a");
    store.insert({ execution: x, executorState: state, finished: false });
    expect(store.load("a")!.status).toBe(statusKey(x, false));
  });

  it("writes the document and keeps the status when told it does not change", () => {
    const x = execution("b");
    store.insert({ execution: x, executorState: state, finished: false });
    x.labels = [{ key: "k", value: "v" }];
    store.update(x, state, false, undefined, false);
    expect(store.get("b")!.execution.labels).toEqual([{ key: "k", value: "v" }]);
    expect(row("b")).toEqual({ state: "CREATED", finished: false });
  });

  it("writes a changed status whatever the writer says (a stale `false` too)", () => {
    for (const [id, told] of [
      ["c", true],
      ["d", undefined],
      ["e", false],
    ] as const) {
      const x = execution(id);
      store.insert({ execution: x, executorState: state, finished: false });
      x.state = withState(x.state, "RUNNING", new Date("2026-01-01T00:00:01.000Z"));
      store.update(x, state, false, undefined, told);
      expect(row(id)).toEqual({ state: "RUNNING", finished: false });
      x.state = withState(x.state, "SUCCESS", new Date("2026-01-01T00:00:02.000Z"));
      store.update(x, state, true, undefined, told);
      expect(row(id)).toEqual({ state: "SUCCESS", finished: true });
      expect(store.load(id)!.status).toBe(statusKey(x, true));
      expect(store.get(id)!.execution.state.endDate).toBe(x.state.endDate);
    }
  });
});
