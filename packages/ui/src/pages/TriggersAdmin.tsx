/**
 * Triggers admin: every trigger with its flow, type, next and last dates, locked state and
 * whether it is enabled; enable/disable (one or a selection), unlock, and backfills of Schedule
 * triggers (start, pause, resume, delete). Embedded with `scope` (a flow's or a namespace's page),
 * it lists only theirs and has no page frame.
 */
import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client.ts";
import type { Paged } from "../api/types.ts";
import { useApi, useInterval } from "../api/useApi.ts";
import { Dialog } from "../components/Dialog.tsx";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { formatDate } from "../lib/format.ts";
import { useSettings } from "../lib/settings.ts";
import { readListState, writeListState } from "../lib/urlFilters.ts";
import { Link, pathOf, setQuery, useLocation } from "../router.tsx";
import "../styles/admin.css";

/** `scope`: embedded in a flow's or a namespace's page, the list shows only theirs (and no page frame). */
export interface TriggersAdminProps {
  params: Record<string, string>;
  scope?: { namespace?: string; flowId?: string };
}

interface TriggerContext {
  namespace: string;
  flowId: string;
  triggerId: string;
  type: string;
  date?: string;
  nextExecutionDate?: string;
  executionId?: string;
  disabled: boolean;
  backfill?: { start: string; end?: string; currentDate?: string; paused?: boolean };
}

interface TriggerListing {
  triggerContext: TriggerContext;
  abstractTrigger: Record<string, unknown>;
}

const FILTERS = { q: { op: "EQUALS" }, namespace: { op: "PREFIX" } } as const;
const keyOf = (t: TriggerContext) => `${t.namespace}/${t.flowId}/${t.triggerId}`;
const isSchedule = (type: string) =>
  /\.Schedule$/.test(type) || type === "io.kestra.core.models.triggers.types.Schedule";

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function BackfillDialog({
  trigger,
  onClose,
  onDone,
}: {
  trigger: TriggerContext;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const startIso = toIso(start);
    if (!startIso) return setError("A start date is required");
    const endIso = toIso(end);
    api
      .put("/triggers", {
        namespace: trigger.namespace,
        flowId: trigger.flowId,
        triggerId: trigger.triggerId,
        backfill: { start: startIso, ...(endIso ? { end: endIso } : {}), ...(paused ? { paused: true } : {}) },
      })
      .then(
        () => onDone(`Backfill of ${trigger.flowId}.${trigger.triggerId} ${paused ? "created, paused" : "started"}`),
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      );
  };
  return (
    <Dialog label="Backfill" onClose={onClose} onSubmit={submit}>
      <h2>
        Backfill {trigger.flowId}.{trigger.triggerId}
      </h2>
      <p className="muted">Runs the executions the schedule would have started between these dates.</p>
      <label>
        Start
        <input type="datetime-local" name="start" value={start} onChange={(e) => setStart(e.target.value)} required />
      </label>
      <label>
        End (default: now)
        <input type="datetime-local" name="end" value={end} onChange={(e) => setEnd(e.target.value)} />
      </label>
      <label className="inline">
        <input type="checkbox" name="paused" checked={paused} onChange={(e) => setPaused(e.target.checked)} />
        &nbsp;Start paused (resume it from the list)
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="page-actions">
        <button type="submit" className="primary">
          Start backfill
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

export default function TriggersAdmin({ scope }: TriggersAdminProps) {
  const location = useLocation();
  const { timeZone } = useSettings();
  const list = readListState(FILTERS, location.query, { size: 25 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<{ error: boolean; text: string }>();
  const [backfill, setBackfill] = useState<TriggerContext>();
  const namespace = scope?.namespace ?? list.filters.namespace;
  const state = useApi(
    (signal) =>
      api.get<Paged<TriggerListing>>("/triggers/search", {
        signal,
        query: {
          page: list.page,
          size: list.size,
          q: list.filters.q,
          namespace,
          flowId: scope?.flowId,
        },
      }),
    [list.page, list.size, list.filters.q, namespace, scope?.flowId],
  );
  useInterval(state.reload, 10_000);
  const rows = state.data?.results ?? [];
  /** Enabled states changed here, shown at once until the list is read again. */
  const [optimistic, setOptimistic] = useState<Record<string, boolean>>({});
  useEffect(() => setOptimistic({}), [state.data]);

  const change = (filters: Partial<typeof list.filters>) =>
    setQuery(writeListState(FILTERS, { ...list, filters: { ...list.filters, ...filters }, page: 1 }, { size: 25 }));

  const act = (label: string, action: () => Promise<unknown>) => {
    action().then(
      () => {
        setNotice({ error: false, text: label });
        state.reload();
      },
      (e: unknown) => {
        setNotice({ error: true, text: e instanceof ApiError || e instanceof Error ? e.message : String(e) });
        state.reload();
      },
    );
  };
  const key = (t: TriggerContext) => ({ namespace: t.namespace, flowId: t.flowId, triggerId: t.triggerId });
  const setDisabled = (t: TriggerContext, disabled: boolean) => {
    setOptimistic((o) => ({ ...o, [keyOf(t)]: disabled }));
    act(`${t.flowId}.${t.triggerId} ${disabled ? "disabled" : "enabled"}`, () =>
      api.put("/triggers", { ...key(t), disabled }),
    );
  };
  const bulk = (disabled: boolean) => {
    const triggers = rows.filter((r) => selected.has(keyOf(r.triggerContext))).map((r) => key(r.triggerContext));
    act(`${triggers.length} trigger${triggers.length === 1 ? "" : "s"} ${disabled ? "disabled" : "enabled"}`, () =>
      api.post("/triggers/set-disabled/by-triggers", { triggers, disabled }),
    );
    setSelected(new Set());
  };
  const unlock = (t: TriggerContext) =>
    act(`${t.flowId}.${t.triggerId} unlocked`, () =>
      api.post(`${pathOf("triggers", t.namespace, t.flowId, t.triggerId)}/unlock`),
    );
  const backfillChange = (t: TriggerContext, change: "pause" | "unpause" | "delete") =>
    act(`Backfill ${change === "delete" ? "deleted" : change === "pause" ? "paused" : "resumed"}`, () =>
      change === "delete"
        ? api.post(`/triggers/backfill/delete`, key(t))
        : api.put(`/triggers/backfill/${change}`, key(t)),
    );
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(keyOf(r.triggerContext)));

  const body = (
    <>
      {scope ? null : (
        <div className="toolbar">
          <input
            type="search"
            aria-label="Search triggers"
            placeholder="Search flow or trigger id"
            value={list.filters.q}
            onChange={(e) => change({ q: e.target.value })}
          />
          <input
            aria-label="Namespace"
            placeholder="Namespace"
            value={list.filters.namespace}
            onChange={(e) => change({ namespace: e.target.value })}
          />
        </div>
      )}
      <div className="toolbar">
        <button type="button" disabled={selected.size === 0} onClick={() => bulk(false)}>
          Enable selected
        </button>
        <button type="button" disabled={selected.size === 0} onClick={() => bulk(true)}>
          Disable selected
        </button>
        {state.data ? <span className="muted">{state.data.total} triggers</span> : null}
      </div>
      {notice ? (
        <div className={notice.error ? "notice notice-error" : "notice"} role={notice.error ? "alert" : "status"}>
          {notice.text}
        </div>
      ) : null}
      {state.error && !state.data ? (
        <ErrorView error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <div className="loading">Loading…</div>
      ) : rows.length === 0 ? (
        <p className="muted">No trigger{list.filters.q || namespace ? " matches" : " yet: add one to a flow"}.</p>
      ) : (
        <table aria-label="Triggers" className="admin-table">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={allSelected}
                  onChange={(e) =>
                    setSelected(e.target.checked ? new Set(rows.map((r) => keyOf(r.triggerContext))) : new Set())
                  }
                />
              </th>
              <th>Trigger</th>
              <th>Flow</th>
              <th>Type</th>
              <th>Next date</th>
              <th>Last date</th>
              <th>Locked</th>
              <th>Enabled</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map(({ triggerContext: context }) => {
              const t = { ...context, disabled: optimistic[keyOf(context)] ?? context.disabled };
              return (
                <tr key={keyOf(t)} data-trigger={keyOf(t)}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${t.flowId}.${t.triggerId}`}
                      checked={selected.has(keyOf(t))}
                      onChange={(e) => {
                        const next = new Set(selected);
                        if (e.target.checked) next.add(keyOf(t));
                        else next.delete(keyOf(t));
                        setSelected(next);
                      }}
                    />
                  </td>
                  <td className="mono">{t.triggerId}</td>
                  <td>
                    <Link to={pathOf("flows", "edit", t.namespace, t.flowId)}>{t.flowId}</Link>
                    <div className="muted">{t.namespace}</div>
                  </td>
                  <td className="mono" title={t.type}>
                    {t.type.split(".").pop()}
                  </td>
                  <td>{formatDate(t.nextExecutionDate, timeZone)}</td>
                  <td>{formatDate(t.date, timeZone)}</td>
                  <td>
                    {t.executionId ? (
                      <>
                        <Link to={pathOf("executions", t.namespace, t.flowId, t.executionId)}>locked</Link>{" "}
                        <button type="button" onClick={() => unlock(t)}>
                          Unlock
                        </button>
                      </>
                    ) : (
                      <span className="muted">no</span>
                    )}
                  </td>
                  <td>
                    <label className="inline">
                      <input
                        type="checkbox"
                        role="switch"
                        aria-label={`Enabled ${t.flowId}.${t.triggerId}`}
                        checked={!t.disabled}
                        onChange={(e) => setDisabled(t, !e.target.checked)}
                      />
                      &nbsp;{t.disabled ? "disabled" : "enabled"}
                    </label>
                  </td>
                  <td className="admin-actions-cell">
                    {t.backfill ? (
                      <span>
                        <span className="muted">
                          backfill {t.backfill.paused ? "paused" : "at"} {formatDate(t.backfill.currentDate, timeZone)}
                        </span>{" "}
                        <button
                          type="button"
                          onClick={() => backfillChange(t, t.backfill?.paused ? "unpause" : "pause")}
                        >
                          {t.backfill.paused ? "Resume" : "Pause"}
                        </button>{" "}
                        <button type="button" className="danger" onClick={() => backfillChange(t, "delete")}>
                          Delete backfill
                        </button>
                      </span>
                    ) : isSchedule(t.type) ? (
                      <button type="button" onClick={() => setBackfill(t)}>
                        Backfill
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {state.data ? (
        <Pager
          page={list.page}
          size={list.size}
          total={state.data.total}
          onPage={(page) => setQuery(writeListState(FILTERS, { ...list, page }, { size: 25 }))}
        />
      ) : null}
      {backfill ? (
        <BackfillDialog
          trigger={backfill}
          onClose={() => setBackfill(undefined)}
          onDone={(text) => {
            setBackfill(undefined);
            setNotice({ error: false, text });
            state.reload();
          }}
        />
      ) : null}
    </>
  );
  if (scope) return <div className="triggers-embedded">{body}</div>;
  return <Page title="Triggers">{body}</Page>;
}
