import { describe, expect, it } from "vitest";
import type { Execution } from "../model/execution.ts";
import { headTexts, runSummary, withRuns } from "./executionTexts.ts";

type TaskRun = Execution["taskRunList"][number];

const run = (extra: Partial<TaskRun> = {}): TaskRun =>
  ({
    id: "run1",
    executionId: "x1",
    namespace: "company.team",
    flowId: "f",
    taskId: "t",
    state: { current: "SUCCESS", histories: [], startDate: "2026-01-01T00:00:00.000Z", duration: "PT0S" },
    ...extra,
  }) as TaskRun;

/** What the summary must be, whichever way it is made: the run without its outputs, serialised. */
function expected(r: TaskRun): string {
  const { outputs: _outputs, ...rest } = r;
  return JSON.stringify(rest);
}

describe("runSummary", () => {
  it("is the run's own text when it has no outputs", () => {
    const r = run();
    const text = JSON.stringify(r);
    expect(runSummary(r, text)).toBe(text);
  });

  it("cuts the outputs out wherever they stand among the run's keys", () => {
    const outputs = { value: "x", nested: { outputs: [1, 2] } };
    const first = Object.assign({ outputs }, run());
    const middle = run({ outputs, value: "v" } as Partial<TaskRun>);
    const last = { ...run(), outputs } as TaskRun;
    const only = { outputs } as unknown as TaskRun;
    for (const r of [first, middle, last, only]) expect(runSummary(r, JSON.stringify(r))).toBe(expected(r));
  });

  it("is not fooled by the same text inside a string or a nested value", () => {
    const outputs = { value: 1 };
    const quoted = run({ value: '"outputs":{"value":1}', outputs } as Partial<TaskRun>);
    const nested = run({ items: { outputs }, outputs } as Partial<TaskRun>);
    for (const r of [quoted, nested]) expect(runSummary(r, JSON.stringify(r))).toBe(expected(r));
  });

  it("serialises the run again when the text given is not the run's", () => {
    const r = run({ outputs: { value: 2 } });
    expect(runSummary(r, JSON.stringify({ ...r, outputs: { value: 3 } }))).toBe(expected(r));
  });
});

describe("headTexts and withRuns", () => {
  const execution = {
    id: "x1",
    namespace: "company.team",
    flowId: "f",
    taskRunList: [run(), run({ id: "run2", outputs: { value: 1 } })],
  } as unknown as Execution;

  it("give the document back with its runs, and a summary without outputs", () => {
    const { text, summary } = headTexts(execution);
    expect(summary).toBe(text);
    expect(
      JSON.parse(
        withRuns(
          text,
          execution.taskRunList.map((r) => JSON.stringify(r)),
        ),
      ),
    ).toEqual(execution);

    const withOutputs = { ...execution, outputs: { total: 3 } } as Execution;
    const both = headTexts(withOutputs);
    expect(JSON.parse(both.text)).toEqual({ id: "x1", namespace: "company.team", flowId: "f", outputs: { total: 3 } });
    expect(JSON.parse(both.summary)).toEqual({ id: "x1", namespace: "company.team", flowId: "f" });
  });

  it("put an empty list back for an execution without task runs", () => {
    const { text } = headTexts({ ...execution, taskRunList: [] });
    expect(JSON.parse(withRuns(text, [])).taskRunList).toEqual([]);
  });
});
