/**
 * What the execution pages show, computed from the API's shapes without any layout: the Gantt's
 * rows (task runs nested by parent, attempts as segments), log filters, the outputs tree, the
 * state of each task for the topology, and which actions an execution can take.
 */
import type { Execution, LogEntry, StateType, TaskRun } from "../api/types.ts";
import { TERMINAL_STATES } from "../api/types.ts";

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function levelRank(level: string): number {
  const i = LOG_LEVELS.indexOf(level as LogLevel);
  return i < 0 ? 0 : i;
}

export interface LogFilter {
  /** The lowest level shown. */
  minLevel?: LogLevel | "";
  /** Only this task run's lines. */
  taskRunId?: string;
  /** Only this task's lines (every task run of it). */
  taskId?: string;
  /** Text in the message (case-insensitive). */
  text?: string;
}

/** The lines a filter keeps, in their order; the same array when nothing filters. */
export function filterLogs(logs: readonly LogEntry[], filter: LogFilter): readonly LogEntry[] {
  const min = filter.minLevel ? levelRank(filter.minLevel) : 0;
  const text = filter.text?.trim().toLowerCase() ?? "";
  const { taskRunId, taskId } = filter;
  if (min === 0 && !text && !taskRunId && !taskId) return logs;
  return logs.filter(
    (l) =>
      (min === 0 || levelRank(l.level) >= min) &&
      (!taskRunId || l.taskRunId === taskRunId) &&
      (!taskId || l.taskId === taskId) &&
      (!text || l.message.toLowerCase().includes(text)),
  );
}

/** Milliseconds of an ISO date; NaN when absent. */
function ms(iso: string | undefined | null): number {
  return iso ? Date.parse(iso) : NaN;
}

export interface GanttSegment {
  start: number;
  end: number;
  state: StateType;
}

export interface GanttRow {
  taskRun: TaskRun;
  /** Nesting level below the execution (0: a top-level task). */
  depth: number;
  /** `taskId` and the ForEach value when there is one. */
  label: string;
  start: number;
  /** The end, or `now` while it runs. */
  end: number;
  /** One per attempt (or the task run's own span when it has none). */
  segments: GanttSegment[];
}

function span(state: TaskRun["state"], now: number): { start: number; end: number } {
  const histories = state.histories ?? [];
  const start = ms(state.startDate) || ms(histories[0]?.date) || now;
  const terminal = TERMINAL_STATES.has(state.current);
  const end = ms(state.endDate) || (terminal ? ms(histories[histories.length - 1]?.date) || start : now);
  return { start, end: Math.max(start, end) };
}

/**
 * The Gantt's rows: each task run followed by its children (depth-first, in the order of the
 * list), attempts as segments. Children whose parent is unknown are shown at the top level.
 */
export function ganttRows(taskRuns: readonly TaskRun[], now = Date.now()): GanttRow[] {
  const byId = new Set(taskRuns.map((t) => t.id));
  const children = new Map<string, TaskRun[]>();
  const roots: TaskRun[] = [];
  for (const t of taskRuns) {
    const parent = t.parentTaskRunId;
    if (parent && byId.has(parent) && parent !== t.id) {
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(t);
    } else roots.push(t);
  }
  const rows: GanttRow[] = [];
  const seen = new Set<string>();
  // an explicit stack: a deep nesting must not overflow the call stack
  const stack: { run: TaskRun; depth: number }[] = roots.map((run) => ({ run, depth: 0 })).reverse();
  while (stack.length) {
    const { run, depth } = stack.pop()!;
    if (seen.has(run.id)) continue;
    seen.add(run.id);
    const { start, end } = span(run.state, now);
    const attempts = run.attempts ?? [];
    const segments = attempts.length
      ? attempts.map((a) => ({ ...span(a.state, now), state: a.state.current }))
      : [{ start, end, state: run.state.current }];
    const value = run.value !== undefined && run.value !== null ? ` [${run.value}]` : "";
    rows.push({ taskRun: run, depth, label: run.taskId + value, start, end, segments });
    const kids = children.get(run.id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push({ run: kids[i]!, depth: depth + 1 });
  }
  return rows;
}

/** The time axis of the Gantt: from the execution's start to its end (or the last row's end). */
export function ganttRange(
  execution: Execution,
  rows: readonly GanttRow[],
  now = Date.now(),
): { start: number; end: number } {
  const own = span(execution.state, now);
  let start = own.start;
  let end = own.end;
  for (const r of rows) {
    if (r.start < start) start = r.start;
    if (r.end > end) end = r.end;
  }
  return { start, end: Math.max(end, start + 1) };
}

/** A segment's position in percent of the axis: `{left, width}` (at least a sliver wide). */
export function placeOnAxis(
  segment: { start: number; end: number },
  axis: { start: number; end: number },
): { left: number; width: number } {
  const total = axis.end - axis.start || 1;
  const left = ((segment.start - axis.start) / total) * 100;
  const width = ((segment.end - segment.start) / total) * 100;
  return { left: Math.max(0, Math.min(100, left)), width: Math.max(0.2, Math.min(100 - Math.max(0, left), width)) };
}

const SEVERITY: Partial<Record<StateType, number>> = {
  FAILED: 9,
  KILLED: 8,
  KILLING: 7,
  WARNING: 6,
  RUNNING: 5,
  PAUSED: 5,
  RETRYING: 5,
  CREATED: 4,
  QUEUED: 4,
  RESTARTED: 4,
  SUCCESS: 2,
  SKIPPED: 1,
};

/**
 * The state of each task id for the topology: a task that ran several times (in a ForEach) shows
 * the most telling of its runs' states (a failure over a success, a run in progress over an end).
 */
export function taskStates(taskRuns: readonly TaskRun[] | null | undefined): Record<string, StateType> {
  const states: Record<string, StateType> = {};
  for (const t of taskRuns ?? []) {
    const had = states[t.taskId];
    if (!had || (SEVERITY[t.state.current] ?? 3) > (SEVERITY[had] ?? 3)) states[t.taskId] = t.state.current;
  }
  return states;
}

/** Which actions an execution can take now. */
export function availableActions(execution: Pick<Execution, "state">): {
  restart: boolean;
  replay: boolean;
  kill: boolean;
  resume: boolean;
  delete: boolean;
} {
  const s = execution.state.current;
  const terminal = TERMINAL_STATES.has(s);
  return {
    restart: s === "FAILED" || s === "KILLED" || s === "WARNING" || s === "PAUSED",
    replay: terminal,
    kill: !terminal && s !== "KILLING",
    resume: s === "PAUSED",
    delete: terminal,
  };
}

/** The task run an execution is paused on. */
export function pausedTaskRun(execution: Execution): TaskRun | undefined {
  return execution.taskRunList?.find((t) => t.state.current === "PAUSED");
}

/** An internal storage URI (`kestra:///ns/flow/…`), which the Outputs tab previews and downloads. */
export function isStorageUri(value: unknown): value is string {
  return typeof value === "string" && /^kestra:\/\/\//.test(value);
}

export interface OutputRow {
  /** A stable path: `taskRunId`, `taskRunId.key.0.sub`. */
  path: string;
  key: string;
  depth: number;
  /** Leaf value (undefined for a branch). */
  value?: unknown;
  /** Number of children for an object or a list. */
  size?: number;
  expanded?: boolean;
}

function isBranch(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/** The visible rows of a value as a tree: the children of each expanded branch below it. */
export function outputRows(
  value: unknown,
  expanded: ReadonlySet<string>,
  path: string,
  key: string,
  depth = 0,
  into: OutputRow[] = [],
): OutputRow[] {
  if (!isBranch(value)) {
    into.push({ path, key, depth, value });
    return into;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const open = expanded.has(path);
  into.push({ path, key, depth, size: entries.length, expanded: open });
  if (open) for (const [k, v] of entries) outputRows(v, expanded, `${path}.${k}`, k, depth + 1, into);
  return into;
}

/** A short text of a leaf value. */
export function leafText(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Whether the execution ended (its follow stream ends). */
export function isFinished(execution: Pick<Execution, "state">): boolean {
  return TERMINAL_STATES.has(execution.state.current);
}

/** A task's definition in a flow's JSON, wherever it is nested (`tasks`, `then`, `errors`…). */
export function findTaskDefinition(flow: unknown, taskId: string): Record<string, unknown> | undefined {
  const stack: unknown[] = [flow];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const n of node) stack.push(n);
    } else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (o.id === taskId && typeof o.type === "string") return o;
      for (const [k, v] of Object.entries(o))
        if (k !== "inputs" && k !== "onResume" && typeof v === "object") stack.push(v);
    }
  }
  return undefined;
}
