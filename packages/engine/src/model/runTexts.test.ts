/**
 * `runTexts` gives the JSON text of each task run of a list and the positions to write: every
 * run the first time, then the runs appended or changed since, also when the list started empty
 * (a new execution's: answered without an index).
 */
import { describe, expect, it } from "vitest";
import type { TaskRun } from "./execution.ts";
import { testTaskRun } from "../testing/taskRuns.ts";
import { markChanged, runTexts } from "./taskRunIndex.ts";

const texts = (list: readonly TaskRun[]) => list.map((run) => JSON.stringify(run));

describe("runTexts", () => {
  it("answers an empty list with no texts and nothing to write", () => {
    expect(runTexts([], undefined)).toEqual({ texts: [], changed: [] });
    expect(runTexts([], [])).toEqual({ texts: [], changed: [] });
  });

  it("writes every run of a list that was empty at the last answer, then only what was appended or changed", () => {
    const list: TaskRun[] = [];
    const first = runTexts(list, undefined);
    list.push(testTaskRun("r0", "a"), testTaskRun("r1", "b"));
    const second = runTexts(list, first.texts);
    expect(second).toEqual({ texts: texts(list), changed: [0, 1] });

    list[0]!.state = { ...list[0]!.state, current: "RUNNING" };
    markChanged(list, list[0]!);
    list.push(testTaskRun("r2", "c"));
    const third = runTexts(list, second.texts);
    expect(third).toEqual({ texts: texts(list), changed: [0, 2] });
    // nothing changed since: nothing to write
    expect(runTexts(list, third.texts).changed).toEqual([]);
  });

  it("compares with the texts given when they are not its last answer (a list read back from the store)", () => {
    const list = [testTaskRun("r0", "a"), testTaskRun("r1", "b", { state: "SUCCESS" })];
    const stored = texts(list);
    stored[1] = JSON.stringify({ ...list[1], state: { ...list[1]!.state, current: "RUNNING" } });
    expect(runTexts(list, stored)).toEqual({ texts: texts(list), changed: [1] });
  });
});
