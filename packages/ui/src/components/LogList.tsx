/**
 * Log lines (level, time, task, message), as the execution's Logs tab, the flow's Logs tab and
 * the Logs search show them. Contract shared by those pages.
 */
import type { LogEntry } from "../api/types.ts";
import { formatDate } from "../lib/format.ts";
import { useSettings } from "../lib/settings.ts";

export interface LogListProps {
  logs: readonly LogEntry[];
  /** Show the execution id of each line (the Logs search). */
  showExecution?: boolean;
}

export function LogList({ logs, showExecution }: LogListProps) {
  const { timeZone } = useSettings();
  return (
    <div className="log-list" role="log">
      {logs.map((l, i) => (
        <div key={i} className={`log-line level-${l.level.toLowerCase()}`}>
          <span className="log-level">{l.level}</span> <time>{formatDate(l.timestamp, timeZone)}</time>{" "}
          {showExecution ? <span className="muted">{l.executionId}</span> : null}{" "}
          {l.taskId ? <span className="log-task">{l.taskId}</span> : null}{" "}
          <span className="log-message">{l.message}</span>
        </div>
      ))}
    </div>
  );
}
