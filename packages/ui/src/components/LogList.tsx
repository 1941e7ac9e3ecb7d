/**
 * Log lines (level, time, task, message), as the execution's Logs tab, the flow's Logs tab and
 * the Logs search show them. Contract shared by those pages.
 *
 * Virtualized: only the lines in view (and a few around) are in the page, so 100,000 lines
 * scroll smoothly. A one-line message takes one row of a fixed height (cut with an ellipsis when
 * longer than the view; a click shows it whole); messages of several lines, and lines opened by a
 * click, are measured once shown. While the view is at the bottom, new lines keep it there
 * (following a live execution).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useLayoutEffect, useRef, useState } from "react";
import type { LogEntry } from "../api/types.ts";
import { formatInstant } from "../lib/format.ts";
import { useSettings } from "../lib/settings.ts";
import { Link, pathOf } from "../router.tsx";
import "../styles/executions.css";

export interface LogListProps {
  logs: readonly LogEntry[];
  /** Show the execution id of each line (the Logs search). */
  showExecution?: boolean;
  /** The height of the scrolled area (CSS); by default it fills the rest of the window. */
  height?: string;
  /** Called when a line's task is clicked. */
  onTaskClick?(taskId: string, taskRunId: string | undefined): void;
}

/** The height of a one-line row (its CSS height). */
const ROW = 20;
/** The height of each further line of a message. */
const LINE = 18;

/** Formatted seconds by time zone and ISO second: lines of the same second share one formatting. */
const seconds = new Map<string, string>();

/** `2026-12-05 07:12:03.120` in the time zone of the settings. */
function logTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const ms = String(date.getTime() % 1000).padStart(3, "0");
  const key = `${timeZone}|${Math.floor(date.getTime() / 1000)}`;
  let text = seconds.get(key);
  if (text === undefined) {
    text = formatInstant(date, timeZone);
    if (seconds.size > 5000) seconds.clear();
    seconds.set(key, text);
  }
  return `${text}.${ms}`;
}

let nextKey = 0;
const keys = new WeakMap<LogEntry, number>();

/** A key per line object: measured heights stay with their line when a filter or new lines move it. */
function keyOf(log: LogEntry | undefined): number {
  if (!log) return -1;
  let k = keys.get(log);
  if (k === undefined) keys.set(log, (k = nextKey++));
  return k;
}

/** Whether a message needs more than one row (it has several lines). */
function multiline(message: string): boolean {
  return message.includes("\n");
}

const Line = memo(function Line({
  log,
  showExecution,
  timeZone,
  onTaskClick,
}: {
  log: LogEntry;
  showExecution?: boolean;
  timeZone: string;
  onTaskClick?: LogListProps["onTaskClick"];
}) {
  return (
    <>
      <span className="log-level">{log.level}</span> <time>{logTime(log.timestamp, timeZone)}</time>{" "}
      {showExecution && log.executionId ? (
        <Link className="log-execution" to={pathOf("executions", log.namespace, log.flowId, log.executionId, "logs")}>
          {log.executionId}
        </Link>
      ) : null}{" "}
      {log.taskId ? (
        onTaskClick ? (
          <button
            type="button"
            className="log-task linklike"
            onClick={() => onTaskClick(log.taskId!, log.taskRunId ?? undefined)}
          >
            {log.taskId}
          </button>
        ) : (
          <span className="log-task">{log.taskId}</span>
        )
      ) : null}{" "}
      <span className="log-message">{log.message}</span>
    </>
  );
});

export function LogList({ logs, showExecution, height, onTaskClick }: LogListProps) {
  const { timeZone } = useSettings();
  const scroller = useRef<HTMLDivElement>(null);
  // lines opened by a click (shown whole), by their object: a filter keeps them open
  const [opened, setOpened] = useState<ReadonlySet<LogEntry>>(() => new Set());
  const estimateSize = useCallback(
    (i: number) => {
      const m = logs[i]?.message ?? "";
      if (!multiline(m)) return ROW;
      let lines = 1;
      for (let at = m.indexOf("\n"); at >= 0 && lines < 200; at = m.indexOf("\n", at + 1)) lines++;
      return ROW + (lines - 1) * LINE;
    },
    [logs],
  );
  const virtualizer = useVirtualizer({
    count: logs.length,
    getScrollElement: () => scroller.current,
    estimateSize,
    getItemKey: useCallback((i: number) => keyOf(logs[i]), [logs]),
    overscan: 6,
  });
  const toggle = (log: LogEntry, index: number) => {
    const n = new Set(opened);
    if (n.has(log)) {
      n.delete(log);
      virtualizer.resizeItem(index, ROW);
    } else n.add(log);
    setOpened(n);
  };

  // follow the tail while the view was at the bottom before new lines came; read only when lines
  // come (a scroll listener reading the layout would force a reflow at each scrolled frame)
  const previous = useRef({ count: logs.length, total: 0 });
  useLayoutEffect(() => {
    const el = scroller.current;
    const before = previous.current;
    previous.current = { count: logs.length, total: virtualizer.getTotalSize() };
    if (!el || logs.length <= before.count || before.count === 0) return;
    if (el.scrollTop + el.clientHeight >= before.total - 30)
      virtualizer.scrollToIndex(logs.length - 1, { align: "end" });
  }, [logs.length, virtualizer]);

  const items = virtualizer.getVirtualItems();
  return (
    <div
      ref={scroller}
      className="log-list log-scroller"
      role="log"
      aria-rowcount={logs.length}
      style={{ height: height ?? "calc(100vh - 230px)" }}
      data-count={logs.length}
    >
      {logs.length === 0 ? <div className="log-empty muted">No log lines.</div> : null}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
        <div
          style={{
            position: "absolute",
            top: 0,
            left: 0,
            width: "100%",
            transform: `translateY(${items[0]?.start ?? 0}px)`,
          }}
        >
          {items.map((item) => {
            const log = logs[item.index]!;
            const whole = opened.has(log) || multiline(log.message);
            return (
              <div
                key={item.key}
                data-index={item.index}
                // only rows of another height than ROW are measured: scrolling far stays cheap
                ref={whole ? virtualizer.measureElement : undefined}
                className={`log-line level-${log.level.toLowerCase()}${whole ? " whole" : ""}`}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest("a,button")) return;
                  if (!multiline(log.message)) toggle(log, item.index);
                }}
              >
                <Line log={log} showExecution={showExecution} timeZone={timeZone} onTaskClick={onTaskClick} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
