/**
 * The Gantt tab: one row per task run (nested by parent, ForEach values shown) on the
 * execution's time axis, attempts as segments; virtualized, so thousands of task runs scroll
 * smoothly. A click on a row shows that task run's logs and outputs below.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useMemo, useRef } from "react";
import { api } from "../../api/client.ts";
import type { Execution, LogEntry } from "../../api/types.ts";
import { useApi } from "../../api/useApi.ts";
import { LogList } from "../../components/LogList.tsx";
import { StateBadge } from "../../components/StateBadge.tsx";
import { ganttRange, ganttRows, placeOnAxis, type GanttRow } from "../../lib/executionView.ts";
import { formatMs } from "../../lib/format.ts";
import { pathOf } from "../../router.tsx";

const ROW = 26;

const Row = memo(function Row({
  row,
  axis,
  selected,
  onSelect,
}: {
  row: GanttRow;
  axis: { start: number; end: number };
  selected: boolean;
  onSelect(id: string): void;
}) {
  const t = row.taskRun;
  return (
    <div
      className={selected ? "gantt-row selected" : "gantt-row"}
      role="row"
      aria-selected={selected}
      data-task-run-id={t.id}
      data-state={t.state.current}
      onClick={() => onSelect(t.id)}
    >
      <div className="gantt-label" style={{ paddingLeft: 8 + row.depth * 14 }} title={row.label}>
        {row.label}
      </div>
      <div className="gantt-duration">{formatMs(row.end - row.start)}</div>
      <div className="gantt-track">
        {row.segments.map((s, i) => {
          const place = placeOnAxis(s, axis);
          return (
            <div
              key={i}
              className={`gantt-bar s-${s.state.toLowerCase()}`}
              style={{ left: `${place.left}%`, width: `${place.width}%` }}
              title={`attempt ${i + 1}: ${s.state}, ${formatMs(s.end - s.start)}`}
            />
          );
        })}
      </div>
    </div>
  );
});

export function Gantt({
  execution,
  now,
  selected,
  onSelect,
}: {
  execution: Execution;
  now: number;
  selected: string | undefined;
  onSelect(taskRunId: string | undefined): void;
}) {
  const rows = useMemo(() => ganttRows(execution.taskRunList ?? [], now), [execution, now]);
  const axis = useMemo(() => ganttRange(execution, rows, now), [execution, rows, now]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 15,
  });
  const height = Math.min(rows.length * ROW + 2, selected ? 420 : 640);
  const total = axis.end - axis.start;
  return (
    <div>
      <div className="gantt" role="grid" aria-label="Gantt" aria-rowcount={rows.length}>
        <div className="gantt-head">
          <div style={{ paddingLeft: 8 }}>Task ({rows.length} task runs)</div>
          <div className="gantt-duration">Duration</div>
          <div className="gantt-axis">
            <span>0s</span>
            <span>{formatMs(total / 2)}</span>
            <span>{formatMs(total)}</span>
          </div>
        </div>
        {rows.length === 0 ? (
          <p className="muted" style={{ padding: 8 }}>
            No task run yet.
          </p>
        ) : null}
        <div ref={scroller} className="gantt-scroller" style={{ height: rows.length ? height : 0 }}>
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => (
              <div
                key={item.key}
                style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                <Row
                  row={rows[item.index]!}
                  axis={axis}
                  selected={rows[item.index]!.taskRun.id === selected}
                  onSelect={(id) => onSelect(id === selected ? undefined : id)}
                />
              </div>
            ))}
          </div>
        </div>
      </div>
      {selected ? <TaskRunDetail execution={execution} taskRunId={selected} /> : null}
    </div>
  );
}

/** The logs and outputs of one task run. */
function TaskRunDetail({ execution, taskRunId }: { execution: Execution; taskRunId: string }) {
  const run = execution.taskRunList?.find((t) => t.id === taskRunId);
  const finished = run ? ["SUCCESS", "WARNING", "FAILED", "KILLED", "SKIPPED"].includes(run.state.current) : false;
  const logs = useApi(
    (signal) => api.get<LogEntry[]>(pathOf("logs", execution.id), { query: { taskRunId }, signal }),
    [execution.id, taskRunId, finished],
  );
  if (!run) return null;
  return (
    <div className="gantt-detail card" aria-label="Task run">
      <h3>
        {run.taskId}
        {run.value !== undefined && run.value !== null ? ` [${run.value}]` : ""}{" "}
        <StateBadge state={run.state.current} /> <span className="muted mono">{run.id}</span>
      </h3>
      <p className="muted">{(run.attempts ?? []).length} attempt(s)</p>
      {logs.error ? <p className="error">{logs.error.message}</p> : null}
      <LogList logs={logs.data ?? []} height="220px" />
      <h3 style={{ marginTop: 10 }}>Outputs</h3>
      {run.outputs && Object.keys(run.outputs).length ? (
        <pre>{JSON.stringify(run.outputs, null, 2)}</pre>
      ) : (
        <p className="muted">No outputs.</p>
      )}
    </div>
  );
}
