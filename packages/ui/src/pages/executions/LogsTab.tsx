/**
 * The Logs tab: the execution's lines, live while it runs; filtered by minimum level, by task and
 * by text (kept in the URL); downloaded as text.
 */
import { useDeferredValue, useMemo } from "react";
import { download } from "../../api/client.ts";
import type { Execution } from "../../api/types.ts";
import { ErrorView } from "../../components/ErrorView.tsx";
import { LogList } from "../../components/LogList.tsx";
import { filterLogs, LOG_LEVELS, type LogLevel } from "../../lib/executionView.ts";
import { useSettings } from "../../lib/settings.ts";
import { pathOf, setQuery, useLocation } from "../../router.tsx";
import type { ExecutionLogs } from "./useExecution.ts";

export function LogsTab({ execution, logs }: { execution: Execution; logs: ExecutionLogs }) {
  const location = useLocation();
  const settings = useSettings();
  const minLevel = (location.query.get("level") ?? settings.logLevel) as LogLevel;
  const taskId = location.query.get("task") ?? "";
  const text = location.query.get("q") ?? "";
  const set = (name: string, value: string) => {
    const q = new URLSearchParams(location.query);
    if (value) q.set(name, value);
    else q.delete(name);
    setQuery(q);
  };
  const taskIds = useMemo(
    () => [...new Set((execution.taskRunList ?? []).map((t) => t.taskId))],
    [execution.taskRunList],
  );
  // typing stays responsive: the list follows the text at a lower priority
  const deferredText = useDeferredValue(text);
  const shown = useMemo(
    () => filterLogs(logs.logs, { minLevel, taskId, text: deferredText }),
    [logs.logs, minLevel, taskId, deferredText],
  );
  return (
    <div>
      <div className="filters" role="search" aria-label="Log filters">
        <label>
          Minimum level
          <select value={minLevel} onChange={(e) => set("level", e.target.value)} aria-label="Minimum level">
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Task
          <select value={taskId} onChange={(e) => set("task", e.target.value)} aria-label="Task">
            <option value="">All tasks</option>
            {taskIds.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Text
          <input type="search" value={text} onChange={(e) => set("q", e.target.value)} placeholder="filter lines" />
        </label>
        <button
          type="button"
          onClick={() =>
            void download(pathOf("logs", execution.id, "download"), `${execution.id}.log`, {
              minLevel,
              ...(taskId ? { taskId } : {}),
            })
          }
        >
          Download
        </button>
        <span className="muted" role="status" aria-label="Log count">
          {shown.length === logs.logs.length
            ? `${logs.logs.length} line(s)`
            : `${shown.length} of ${logs.logs.length} line(s)`}
          {logs.complete ? "" : " · loading…"}
        </span>
      </div>
      {logs.error ? <ErrorView error={logs.error} /> : <LogList logs={shown} onTaskClick={(t) => set("task", t)} />}
    </div>
  );
}
