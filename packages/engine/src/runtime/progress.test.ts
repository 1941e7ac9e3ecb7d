import { describe, expect, it } from "vitest";
import type { Execution, TaskRun } from "../model/execution.ts";
import { describeProgress } from "./progress.ts";

const state = (current: string) => ({ current, histories: [], startDate: "2026-01-01T00:00:00Z", duration: "PT0S" });
const run = (taskId: string, current: string, extra: Partial<TaskRun> = {}) =>
  ({ id: taskId, taskId, state: state(current), ...extra }) as unknown as TaskRun;
const execution = (taskRunList: TaskRun[]) =>
  ({ id: "x1", namespace: "ns", flowId: "f", state: state("RUNNING"), taskRunList }) as unknown as Execution;

describe("describeProgress", () => {
  it("names the flow, the state and each task run with its value and attempts", () => {
    const text = describeProgress(
      execution([
        run("each", "RUNNING"),
        run("sub", "CREATED", { value: "a", attempts: [{ state: state("FAILED") }] } as Partial<TaskRun>),
      ]),
    );
    expect(text).toBe("flow ns.f, state RUNNING; task runs: each RUNNING, sub[a] CREATED (1 attempt)");
  });

  it("says when there is no task run, and cuts a long list", () => {
    expect(describeProgress(execution([]))).toBe("flow ns.f, state RUNNING; task runs: none");
    const many = Array.from({ length: 60 }, (_, i) => run(`t${i}`, "SUCCESS"));
    expect(describeProgress(execution(many))).toMatch(/t49 SUCCESS, … 10 more$/);
  });
});
