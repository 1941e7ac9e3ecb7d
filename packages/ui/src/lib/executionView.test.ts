import { describe, expect, it } from "vitest";
import type { Execution, LogEntry, TaskRun } from "../api/types.ts";
import {
  availableActions,
  filterLogs,
  findTaskDefinition,
  ganttRange,
  ganttRows,
  isStorageUri,
  outputRows,
  placeOnAxis,
  taskStates,
} from "./executionView.ts";

const T0 = Date.parse("2026-12-05T10:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function run(id: string, taskId: string, from: number, to: number | undefined, extra: Partial<TaskRun> = {}): TaskRun {
  return {
    id,
    executionId: "x",
    namespace: "ns",
    flowId: "f",
    taskId,
    state: {
      current: to === undefined ? "RUNNING" : "SUCCESS",
      startDate: at(from),
      ...(to === undefined ? {} : { endDate: at(to) }),
      histories: [{ state: "CREATED", date: at(from) }],
    },
    ...extra,
  };
}

function log(level: LogEntry["level"], message: string, taskId?: string, taskRunId?: string): LogEntry {
  return { namespace: "ns", flowId: "f", executionId: "x", timestamp: at(0), level, message, taskId, taskRunId };
}

describe("the Gantt's rows", () => {
  it("nests children under their parent, depth-first in list order, with ForEach values in the label", () => {
    const rows = ganttRows([
      run("a", "each", 0, 10),
      run("d", "after", 10, 12),
      run("b", "log", 1, 2, { parentTaskRunId: "a", value: "1" }),
      run("c", "log", 2, 3, { parentTaskRunId: "a", value: "2" }),
      run("e", "orphan", 4, 5, { parentTaskRunId: "gone" }),
    ]);
    expect(rows.map((r) => [r.label, r.depth])).toEqual([
      ["each", 0],
      ["log [1]", 1],
      ["log [2]", 1],
      ["after", 0],
      ["orphan", 0],
    ]);
  });

  it("draws one segment per attempt, and a running task run up to now", () => {
    const retried = run("a", "flaky", 0, 6, {
      attempts: [
        { state: { current: "FAILED", startDate: at(0), endDate: at(2) } },
        { state: { current: "SUCCESS", startDate: at(3), endDate: at(6) } },
      ],
    });
    const running = run("b", "slow", 6, undefined);
    const [first, second] = ganttRows([retried, running], T0 + 9000);
    expect(first!.segments.map((s) => [s.state, (s.end - s.start) / 1000])).toEqual([
      ["FAILED", 2],
      ["SUCCESS", 3],
    ]);
    expect((second!.end - second!.start) / 1000).toBe(3);
  });

  it("handles 5,000 task runs and a deep nesting without recursion", () => {
    const many = [run("root", "each", 0, 100)];
    for (let i = 0; i < 5000; i++) many.push(run(`c${i}`, "log", 1, 2, { parentTaskRunId: "root", value: String(i) }));
    const deep: TaskRun[] = [];
    for (let i = 0; i < 20000; i++) deep.push(run(`d${i}`, "t", 0, 1, i ? { parentTaskRunId: `d${i - 1}` } : {}));
    expect(ganttRows(many)).toHaveLength(5001);
    expect(ganttRows(deep).at(-1)!.depth).toBe(19999);
  });

  it("places segments on the axis in percent", () => {
    const execution = { state: { current: "SUCCESS", startDate: at(0), endDate: at(10) } } as Execution;
    const axis = ganttRange(execution, ganttRows([run("a", "t", 5, 10)]));
    expect(axis).toEqual({ start: T0, end: T0 + 10_000 });
    expect(placeOnAxis({ start: T0 + 5000, end: T0 + 10_000 }, axis)).toEqual({ left: 50, width: 50 });
    expect(placeOnAxis({ start: T0, end: T0 }, axis).width).toBeGreaterThan(0);
  });
});

describe("log filters", () => {
  const logs = [
    log("DEBUG", "starting", "a", "ra"),
    log("INFO", "Hello World", "a", "ra"),
    log("WARN", "careful", "b", "rb"),
    log("ERROR", "broken hello", "b", "rb2"),
  ];
  it("keep the lines at or above the minimum level, of a task or task run, containing a text", () => {
    expect(filterLogs(logs, {})).toBe(logs);
    expect(filterLogs(logs, { minLevel: "WARN" }).map((l) => l.message)).toEqual(["careful", "broken hello"]);
    expect(filterLogs(logs, { taskId: "a" })).toHaveLength(2);
    expect(filterLogs(logs, { taskRunId: "rb2" }).map((l) => l.message)).toEqual(["broken hello"]);
    expect(filterLogs(logs, { text: "HELLO" }).map((l) => l.level)).toEqual(["INFO", "ERROR"]);
    expect(filterLogs(logs, { text: "hello", minLevel: "ERROR" })).toHaveLength(1);
  });
});

describe("outputs, states and actions", () => {
  it("lists the rows of expanded branches only", () => {
    const value = { uri: "kestra:///ns/f/x/file.txt", rows: [1, { a: 2 }] };
    expect(outputRows(value, new Set(), "r", "task").map((r) => r.path)).toEqual(["r"]);
    const open = outputRows(value, new Set(["r", "r.rows"]), "r", "task");
    expect(open.map((r) => [r.path, r.depth, r.size ?? r.value])).toEqual([
      ["r", 0, 2],
      ["r.uri", 1, "kestra:///ns/f/x/file.txt"],
      ["r.rows", 1, 2],
      ["r.rows.0", 2, 1],
      ["r.rows.1", 2, 1],
    ]);
    expect(isStorageUri(open[1]!.value)).toBe(true);
    expect(isStorageUri("https://example.com")).toBe(false);
  });

  it("gives each task the most telling state of its runs", () => {
    const runs = [run("a", "t", 0, 1), run("b", "t", 0, 1), run("c", "u", 0, 1)];
    runs[1]!.state.current = "FAILED";
    expect(taskStates(runs)).toEqual({ t: "FAILED", u: "SUCCESS" });
  });

  it("offers the actions a state allows", () => {
    expect(availableActions({ state: { current: "FAILED" } })).toMatchObject({
      restart: true,
      kill: false,
      delete: true,
    });
    expect(availableActions({ state: { current: "RUNNING" } })).toMatchObject({
      restart: false,
      kill: true,
      delete: false,
    });
    expect(availableActions({ state: { current: "PAUSED" } })).toMatchObject({ resume: true, kill: true });
    expect(availableActions({ state: { current: "SUCCESS" } })).toMatchObject({
      restart: false,
      replay: true,
      resume: false,
    });
  });

  it("finds a nested task's definition, not an onResume input of the same id", () => {
    const flow = {
      tasks: [
        { id: "wait", type: "Pause", onResume: [{ id: "approve", type: "BOOLEAN" }] },
        { id: "par", type: "Parallel", tasks: [{ id: "approve", type: "Log" }] },
      ],
    };
    expect(findTaskDefinition(flow.tasks, "wait")?.onResume).toHaveLength(1);
    expect(findTaskDefinition(flow.tasks, "approve")?.type).toBe("Log");
  });
});
