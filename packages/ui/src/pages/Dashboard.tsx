/**
 * The dashboard for a period (kept in the URL): executions per time bucket stacked by state (an
 * SVG chart), the totals per state, the recent failures, and the durations per flow (median, p95
 * and max of the period's ended executions).
 */
import { useState } from "react";
import { api } from "../api/client.ts";
import type { Execution, Paged } from "../api/types.ts";
import { useApi, useInterval } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import {
  durationsByFlow,
  niceScale,
  periodOf,
  RANGES,
  stackBars,
  totalsByState,
  type Bar,
  type DailyStat,
} from "../lib/dashboard.ts";
import { formatDate, formatMs, stateDurationMs } from "../lib/format.ts";
import { useSettings } from "../lib/settings.ts";
import { Link, pathOf, setQuery, useLocation } from "../router.tsx";
import "../styles/admin.css";

const colour = (state: string) => (state === "OTHER" ? "var(--state-skipped)" : `var(--state-${state.toLowerCase()})`);

function bucketLabel(iso: string, groupBy: string, timeZone: string): string {
  const text = formatDate(iso, timeZone);
  if (groupBy === "hour" || groupBy === "minute") return text.slice(11, 16);
  if (groupBy === "month") return text.slice(0, 7);
  return text.slice(5, 10);
}

function StackedBars({ bars, groupBy, timeZone }: { bars: Bar[]; groupBy: string; timeZone: string }) {
  const [hover, setHover] = useState<number>();
  const width = 900;
  const height = 220;
  const left = 36;
  const bottom = 22;
  const top = 8;
  const scale = niceScale(Math.max(0, ...bars.map((b) => b.total)));
  const plotH = height - top - bottom;
  const slot = (width - left) / Math.max(1, bars.length);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number) => top + plotH - (v / scale.max) * plotH;
  const labelEvery = Math.max(1, Math.ceil(bars.length / 12));
  const hovered = hover !== undefined ? bars[hover] : undefined;
  return (
    <div className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label="Executions per period by state">
        {scale.ticks.map((t) => (
          <g key={t}>
            <line className="grid-line" x1={left} x2={width} y1={y(t)} y2={y(t)} />
            <text x={left - 6} y={y(t) + 3} textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = left + i * slot + (slot - barW) / 2;
          return (
            <g
              key={b.startDate}
              data-bucket={b.startDate}
              data-total={b.total}
              onMouseEnter={() => setHover(i)}
              onMouseLeave={() => setHover(undefined)}
            >
              <rect x={left + i * slot} y={top} width={slot} height={plotH} fill="transparent" />
              {b.segments.map((s) => (
                <rect
                  key={s.state}
                  data-state={s.state}
                  x={x}
                  width={barW}
                  y={y(s.from + s.count)}
                  height={Math.max(0, y(s.from) - y(s.from + s.count))}
                  fill={colour(s.state)}
                  rx={1.5}
                >
                  <title>{`${bucketLabel(b.startDate, groupBy, timeZone)} ${s.state}: ${s.count}`}</title>
                </rect>
              ))}
              {i % labelEvery === 0 ? (
                <text x={x + barW / 2} y={height - 6} textAnchor="middle">
                  {bucketLabel(b.startDate, groupBy, timeZone)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <div className="chart-legend">
        {hovered ? (
          <span style={{ ["--swatch" as string]: "transparent" }}>
            {formatDate(hovered.startDate, timeZone)}: {hovered.total} execution{hovered.total === 1 ? "" : "s"}
            {hovered.segments.map((s) => ` · ${s.state} ${s.count}`).join("")}
          </span>
        ) : (
          [...new Set(bars.flatMap((b) => b.segments.map((s) => s.state)))].map((s) => (
            <span key={s} style={{ ["--swatch" as string]: colour(s) }}>
              {s}
            </span>
          ))
        )}
      </div>
    </div>
  );
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export default function Dashboard() {
  const location = useLocation();
  const { timeZone } = useSettings();
  const period = periodOf(location.query);
  // presets move with time: the key changes on each refresh only for them
  const [tick, setTick] = useState(0);
  useInterval(() => setTick((t) => t + 1), period.range === "custom" ? 0 : 30_000);
  const key = period.range === "custom" ? `${period.startDate}/${period.endDate}` : `${period.range}/${tick}`;
  const daily = useApi(
    (signal) =>
      api.post<DailyStat[]>(
        "/stats/executions/daily",
        { startDate: period.startDate, endDate: period.endDate },
        { signal },
      ),
    [key],
  );
  const recent = useApi(
    (signal) =>
      api.get<Paged<Execution>>("/executions/search", {
        signal,
        query: {
          "filters[startDate][GREATER_THAN_OR_EQUAL_TO]": period.startDate,
          "filters[startDate][LESS_THAN_OR_EQUAL_TO]": period.endDate,
          page: 1,
          size: 500,
        },
      }),
    [key],
  );
  const choose = (change: Record<string, string>) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(change)) if (v) query.set(k, v);
    setQuery(query);
  };

  const bars = stackBars(daily.data ?? []);
  const totals = totalsByState(daily.data ?? []);
  const total = totals.reduce((n, t) => n + t.count, 0);
  const executions = recent.data?.results ?? [];
  const failures = executions.filter((x) => x.state.current === "FAILED").slice(0, 10);
  const durations = durationsByFlow(
    executions
      .filter((x) => x.state.endDate)
      .map((x) => ({ namespace: x.namespace, flowId: x.flowId, durationMs: stateDurationMs(x.state) })),
  ).slice(0, 10);

  return (
    <Page
      title="Dashboard"
      actions={
        <div className="toolbar" style={{ margin: 0 }}>
          <select
            aria-label="Period"
            value={period.range}
            onChange={(e) =>
              e.target.value === "custom"
                ? choose({ start: toLocalInput(period.startDate), end: toLocalInput(period.endDate) })
                : choose({ range: e.target.value })
            }
          >
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </select>
          {period.range === "custom" ? (
            <>
              <input
                type="datetime-local"
                aria-label="From"
                value={toLocalInput(period.startDate)}
                onChange={(e) => choose({ start: e.target.value, end: location.query.get("end") ?? "" })}
              />
              <input
                type="datetime-local"
                aria-label="To"
                value={toLocalInput(period.endDate)}
                onChange={(e) => choose({ start: location.query.get("start") ?? "", end: e.target.value })}
              />
            </>
          ) : null}
        </div>
      }
    >
      {daily.error && !daily.data ? (
        <ErrorView error={daily.error} onRetry={daily.reload} />
      ) : (
        <>
          <div className="admin-grid" aria-label="Executions by state">
            <div className="stat">
              <div className="stat-value" data-stat="total">
                {daily.data ? total : "…"}
              </div>
              <div className="stat-label">Executions</div>
            </div>
            {totals.map((t) => (
              <Link
                key={t.state}
                className="stat"
                to={`/executions?state=${t.state}`}
                style={{ borderTop: `3px solid ${colour(t.state)}` }}
              >
                <div className="stat-value" data-stat={t.state}>
                  {t.count}
                </div>
                <div className="stat-label">{t.state}</div>
              </Link>
            ))}
          </div>
          <section className="card">
            <h2>Executions</h2>
            {!daily.data ? (
              <div className="loading">Loading…</div>
            ) : total === 0 ? (
              <p className="muted">
                No execution in this period. <Link to="/flows">Run a flow</Link> to see it here.
              </p>
            ) : (
              <StackedBars bars={bars} groupBy={daily.data[0]?.groupBy ?? "day"} timeZone={timeZone} />
            )}
          </section>
          <div className="two-columns">
            <section className="card">
              <h2>Recent failures</h2>
              {recent.error ? (
                <p className="error">{recent.error.message}</p>
              ) : !recent.data ? (
                <div className="loading">Loading…</div>
              ) : failures.length === 0 ? (
                <p className="muted">No failed execution in this period.</p>
              ) : (
                <table aria-label="Recent failures">
                  <tbody>
                    {failures.map((x) => (
                      <tr key={x.id}>
                        <td>
                          <Link to={pathOf("executions", x.namespace, x.flowId, x.id)}>
                            {x.namespace}.{x.flowId}
                          </Link>
                          <div className="mono muted">{x.id}</div>
                        </td>
                        <td>
                          <StateBadge state={x.state.current} />
                        </td>
                        <td>{formatDate(x.state.startDate ?? x.state.histories?.[0]?.date, timeZone)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section className="card">
              <h2>Durations per flow</h2>
              {!recent.data ? (
                <div className="loading">Loading…</div>
              ) : durations.length === 0 ? (
                <p className="muted">No ended execution in this period.</p>
              ) : (
                <table aria-label="Durations per flow">
                  <thead>
                    <tr>
                      <th>Flow</th>
                      <th>Runs</th>
                      <th>Median</th>
                      <th>p95</th>
                      <th>Max</th>
                    </tr>
                  </thead>
                  <tbody>
                    {durations.map((d) => (
                      <tr key={`${d.namespace}/${d.flowId}`}>
                        <td>
                          <Link to={pathOf("flows", "edit", d.namespace, d.flowId)}>
                            {d.namespace}.{d.flowId}
                          </Link>
                        </td>
                        <td>{d.count}</td>
                        <td>{formatMs(d.medianMs)}</td>
                        <td>{formatMs(d.p95Ms)}</td>
                        <td>{formatMs(d.maxMs)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {recent.data && recent.data.total > executions.length ? (
                <p className="muted">From the latest {executions.length} executions of the period.</p>
              ) : null}
            </section>
          </div>
        </>
      )}
    </Page>
  );
}
