/**
 * The executions: filters (namespace, flow, states, label, text, start date range) kept in the
 * URL, paging, sorting, live refresh, and bulk restart, kill, replay and delete of the selected
 * executions. Embedded with `scope` in a flow's or namespace's page, it lists only theirs.
 */
import { useMemo, useState, type ReactNode } from "react";
import { api } from "../api/client.ts";
import type { Execution, Paged, StateType } from "../api/types.ts";
import { useApi, useInterval } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { FilterInput } from "../components/FilterInput.tsx";
import { Page } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { apiQueryOf, EXECUTION_FILTERS, nextSort, scopeFilters } from "../lib/executionFilters.ts";
import { formatDate, formatMs, stateDurationMs } from "../lib/format.ts";
import { useSettings } from "../lib/settings.ts";
import { readListState, writeListState, type ListState } from "../lib/urlFilters.ts";
import type { ListChange } from "../lib/executionFilters.ts";
import { Link, pathOf, setQuery, useLocation } from "../router.tsx";
import { ConfirmDialog } from "../components/Dialog.tsx";
import "../styles/executions.css";

/** `scope`: embedded in a flow's or a namespace's page, the list shows only theirs (and no page frame). */
export interface ExecutionsListProps {
  params: Record<string, string>;
  scope?: { namespace?: string; flowId?: string };
}

type Specs = typeof EXECUTION_FILTERS;
const DEFAULTS = { sort: "state.startDate:desc" };
const LIVE_MS = 4000;

export const STATES: StateType[] = [
  "CREATED",
  "QUEUED",
  "RUNNING",
  "PAUSED",
  "RESTARTED",
  "KILLING",
  "SUCCESS",
  "WARNING",
  "FAILED",
  "KILLED",
  "CANCELLED",
  "RETRYING",
];

type BulkAction = "restart" | "kill" | "replay" | "delete";
const BULK: Record<BulkAction, { label: string; method: "post" | "delete"; path: string; danger?: boolean }> = {
  restart: { label: "Restart", method: "post", path: "/executions/restart/by-ids" },
  replay: { label: "Replay", method: "post", path: "/executions/replay/by-ids" },
  kill: { label: "Kill", method: "delete", path: "/executions/kill/by-ids", danger: true },
  delete: { label: "Delete", method: "delete", path: "/executions/by-ids", danger: true },
};

function SortHeader({
  field,
  sort,
  onSort,
  children,
}: {
  field: string;
  sort: string | undefined;
  onSort(next: string): void;
  children: ReactNode;
}) {
  const [f, dir] = (sort ?? "").split(":");
  const active = f === field;
  return (
    <th aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" className="sort" onClick={() => onSort(nextSort(sort, field))}>
        {children} {active ? (dir === "asc" ? "▲" : "▼") : ""}
      </button>
    </th>
  );
}

export default function ExecutionsList({ scope }: ExecutionsListProps) {
  const location = useLocation();
  const { timeZone } = useSettings();
  const state = useMemo(() => readListState(EXECUTION_FILTERS, location.query, DEFAULTS), [location.query]);
  const [live, setLive] = useState(true);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState<BulkAction>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const scoped = scopeFilters(scope);
  const apiQuery = apiQueryOf(
    EXECUTION_FILTERS,
    scoped.namespacePrefix ? { ...state, filters: { ...state.filters, namespace: scoped.namespacePrefix } } : state,
    scoped.exact,
  );
  const key = apiQuery.toString();
  const list = useApi((signal) => api.get<Paged<Execution>>("/executions/search", { query: apiQuery, signal }), [key]);
  useInterval(list.reload, live ? LIVE_MS : 0);

  const update = (change: ListChange<Specs>) => {
    const next = {
      ...state,
      ...change,
      filters: { ...state.filters, ...change.filters } as ListState<Specs>["filters"],
      page: change.page ?? 1,
    };
    setQuery(writeListState(EXECUTION_FILTERS, next, DEFAULTS));
  };
  const setFilter = <K extends keyof Specs>(name: K, value: ListState<Specs>["filters"][K]) =>
    update({ filters: { [name]: value } as Partial<ListState<Specs>["filters"]> });

  const rows = list.data?.results ?? [];
  const total = list.data?.total ?? 0;
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const runBulk = async (action: BulkAction) => {
    setPending(undefined);
    const def = BULK[action];
    const ids = [...selected];
    try {
      const answer =
        def.method === "post"
          ? await api.post<{ count: number }>(def.path, ids)
          : await api.delete<{ count: number }>(def.path, { body: ids });
      setNotice({ text: `${def.label}: ${answer?.count ?? ids.length} execution(s)` });
      setSelected(new Set());
    } catch (error) {
      setNotice({ text: (error as Error).message, error: true });
    }
    list.reload();
  };

  const toolbar = (
    <>
      <div className="filters" role="search" aria-label="Execution filters">
        {scope?.namespace ? null : (
          <FilterInput
            label="Namespace"
            value={state.filters.namespace}
            onChange={(v) => setFilter("namespace", v)}
            placeholder="company.team"
          />
        )}
        {scope?.flowId ? null : (
          <FilterInput label="Flow" value={state.filters.flowId} onChange={(v) => setFilter("flowId", v)} />
        )}
        <FilterInput
          label="Label"
          value={state.filters.labels}
          onChange={(v) => setFilter("labels", v)}
          placeholder="key:value"
        />
        <FilterInput
          label="Search"
          value={state.filters.q}
          onChange={(v) => setFilter("q", v)}
          placeholder="id, flow…"
        />
        <FilterInput
          label="From"
          type="datetime-local"
          value={state.filters.from}
          onChange={(v) => setFilter("from", v)}
        />
        <FilterInput label="To" type="datetime-local" value={state.filters.to} onChange={(v) => setFilter("to", v)} />
        <label className="inline" style={{ gap: 6 }}>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live refresh
        </label>
      </div>
      <div className="state-picker" role="group" aria-label="States">
        {STATES.map((s) => {
          const on = state.filters.state.includes(s);
          return (
            <button
              key={s}
              type="button"
              aria-pressed={on}
              onClick={() =>
                setFilter("state", on ? state.filters.state.filter((x) => x !== s) : [...state.filters.state, s])
              }
            >
              {s}
            </button>
          );
        })}
      </div>
    </>
  );

  const body = (
    <>
      {toolbar}
      <div style={{ height: 10 }} />
      {notice ? (
        <div className={notice.error ? "notice error" : "notice"} role={notice.error ? "alert" : "status"}>
          {notice.text}{" "}
          <button type="button" className="linklike" onClick={() => setNotice(undefined)}>
            dismiss
          </button>
        </div>
      ) : null}
      {selected.size > 0 ? (
        <div className="bulk-bar" role="toolbar" aria-label="Bulk actions">
          <strong>{selected.size} selected</strong>
          {(Object.keys(BULK) as BulkAction[]).map((a) => (
            <button key={a} type="button" className={BULK[a].danger ? "danger" : ""} onClick={() => setPending(a)}>
              {BULK[a].label}
            </button>
          ))}
          <button type="button" className="linklike" onClick={() => setSelected(new Set())}>
            clear
          </button>
        </div>
      ) : null}
      {list.error && !list.data ? (
        <ErrorView error={list.error} onRetry={list.reload} />
      ) : (
        <>
          {list.error ? <p className="error">{list.error.message}</p> : null}
          <table className="executions-table" aria-label="Executions" aria-busy={list.loading}>
            <thead>
              <tr>
                <th style={{ width: 28 }}>
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={allSelected}
                    onChange={() =>
                      setSelected(allSelected ? new Set() : new Set([...selected, ...rows.map((r) => r.id)]))
                    }
                  />
                </th>
                <th>Id</th>
                {scope?.namespace ? null : (
                  <SortHeader field="namespace" sort={state.sort} onSort={(sort) => update({ sort })}>
                    Namespace
                  </SortHeader>
                )}
                {scope?.flowId ? null : (
                  <SortHeader field="flowId" sort={state.sort} onSort={(sort) => update({ sort })}>
                    Flow
                  </SortHeader>
                )}
                <SortHeader field="state.current" sort={state.sort} onSort={(sort) => update({ sort })}>
                  State
                </SortHeader>
                <SortHeader field="state.startDate" sort={state.sort} onSort={(sort) => update({ sort })}>
                  Start
                </SortHeader>
                <SortHeader field="state.duration" sort={state.sort} onSort={(sort) => update({ sort })}>
                  Duration
                </SortHeader>
                <th>Labels</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((x) => (
                <tr key={x.id} data-execution-id={x.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${x.id}`}
                      checked={selected.has(x.id)}
                      onChange={() => toggle(x.id)}
                    />
                  </td>
                  <td className="id">
                    <Link to={pathOf("executions", x.namespace, x.flowId, x.id)}>{x.id}</Link>
                  </td>
                  {scope?.namespace ? null : <td>{x.namespace}</td>}
                  {scope?.flowId ? null : (
                    <td>
                      <Link to={pathOf("flows", "edit", x.namespace, x.flowId)}>{x.flowId}</Link>
                    </td>
                  )}
                  <td>
                    <StateBadge state={x.state.current} />
                  </td>
                  <td>{formatDate(x.state.startDate, timeZone)}</td>
                  <td>{formatMs(stateDurationMs(x.state))}</td>
                  <td>
                    {(x.labels ?? [])
                      .filter((l) => !l.key.startsWith("system."))
                      .map((l) => (
                        <button
                          key={l.key}
                          type="button"
                          className="label-chip"
                          title="Filter by this label"
                          onClick={() => setFilter("labels", `${l.key}:${l.value}`)}
                        >
                          {l.key}:{l.value}
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!list.loading && rows.length === 0 ? <p className="muted">No execution matches these filters.</p> : null}
          <Pager
            page={state.page}
            size={state.size}
            total={total}
            onPage={(page) => update({ page })}
            summary={`${total} execution(s)`}
            sizes={[10, 25, 50, 100]}
            onSize={(size) => update({ size })}
          />
        </>
      )}
      {pending ? (
        <ConfirmDialog
          title={`${BULK[pending].label} ${selected.size} execution(s)?`}
          confirm={BULK[pending].label}
          danger={BULK[pending].danger}
          onConfirm={() => void runBulk(pending)}
          onCancel={() => setPending(undefined)}
        >
          <p>
            {pending === "delete"
              ? "The executions are deleted with their logs, metrics and files."
              : pending === "kill"
                ? "The running executions are killed."
                : pending === "restart"
                  ? "The failed executions restart from their failed task runs."
                  : "Each execution is replayed as a new execution."}
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );

  if (scope) return <div className="executions-embedded">{body}</div>;
  return (
    <Page
      title="Executions"
      actions={
        live ? (
          <span className="muted" role="status">
            <span className="live-dot" />
            live
          </span>
        ) : null
      }
    >
      {body}
    </Page>
  );
}
