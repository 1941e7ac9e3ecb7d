/**
 * Log lines (level, time, task, message), as the execution's Logs tab, the flow's Logs tab and
 * the Logs search show them. Contract shared by those pages.
 *
 * Virtualized: only the lines in view (and a few around) are in the page, so 100,000 lines
 * scroll smoothly. Lines wrap, and each is measured once shown. While the view is at the bottom,
 * new lines keep it there (following a live execution).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useRef } from "react";
import type { LogEntry } from "../api/types.ts";
import { formatDate } from "../lib/format.ts";
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
      <span className="log-level">{log.level}</span> <time>{formatDate(log.timestamp, timeZone)}</time>{" "}
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
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: logs.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 21,
    overscan: 12,
  });

  // follow the tail while the view is at the bottom
  const previousCount = useRef(logs.length);
  useLayoutEffect(() => {
    const grew = logs.length > previousCount.current;
    previousCount.current = logs.length;
    if (grew && atBottom.current && logs.length > 0) virtualizer.scrollToIndex(logs.length - 1, { align: "end" });
  }, [logs.length, virtualizer]);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 30;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);

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
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className={`log-line level-${log.level.toLowerCase()}`}
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
