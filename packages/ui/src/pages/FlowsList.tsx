/**
 * The flows: a table filtered by namespace prefix, text and label (kept in the URL, the text
 * searched on the server as you type), sorted and paged, with bulk enable, disable, delete and
 * export of the selected flows.
 */
import { useEffect, useMemo, useRef, useState, type InputHTMLAttributes } from "react";
import { api } from "../api/client.ts";
import type { Execution, Flow, Paged } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import {
  exportFileName,
  flowKey,
  flowLabels,
  fromFlowKey,
  FLOW_FILTERS,
  multiDocumentYaml,
  pageRange,
} from "../lib/flows.ts";
import { formatDate } from "../lib/format.ts";
import { readListState, toApiQuery, writeListState, type ListState } from "../lib/urlFilters.ts";
import { Link, pathOf, setQuery, useLocation } from "../router.tsx";
import { ConfirmDialog } from "../components/Dialog.tsx";
import "../styles/flows.css";

type State = ListState<typeof FLOW_FILTERS>;

/** A text box that updates the URL `delay` ms after the last keystroke. */
function DebouncedInput({
  value,
  onCommit,
  delay = 150,
  ...rest
}: { value: string; onCommit(value: string): void; delay?: number } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "value" | "onChange"
>) {
  const [text, setText] = useState(value);
  const committed = useRef(value);
  // the URL changed from elsewhere (back button, a link): show it
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => {
    if (text === committed.current) return;
    const timer = setTimeout(() => {
      committed.current = text;
      onCommit(text);
    }, delay);
    return () => clearTimeout(timer);
  }, [text]);
  return <input {...rest} value={text} onChange={(e) => setText(e.target.value)} />;
}

const SORTABLE: { field: string; label: string }[] = [
  { field: "id", label: "Id" },
  { field: "namespace", label: "Namespace" },
];

export default function FlowsList() {
  const location = useLocation();
  const state = readListState(FLOW_FILTERS, location.query);
  const update = (change: Partial<Omit<State, "filters">> & { filters?: Partial<State["filters"]> }) => {
    // from the URL as it is now: two debounced boxes may commit one after the other before a render
    const now = readListState(FLOW_FILTERS, new URLSearchParams(window.location.search));
    const next: State = {
      ...now,
      ...change,
      filters: { ...now.filters, ...change.filters },
      page: change.page ?? (change.filters || change.size ? 1 : now.page),
    };
    setQuery(writeListState(FLOW_FILTERS, next));
  };
  const apiQuery = toApiQuery(FLOW_FILTERS, state).toString();
  const flows = useApi(
    async (signal) => ({
      q: state.filters.q,
      page: await api.get<Paged<Flow>>("/flows/search", { query: new URLSearchParams(apiQuery), signal }),
    }),
    [apiQuery],
  );
  const results = useMemo(() => flows.data?.page.results ?? [], [flows.data]);
  const total = flows.data?.page.total ?? 0;
  const pageKeys = results.map(flowKey).join("\n");
  const latest = useApi(
    async (signal) => {
      if (results.length === 0) return new Map<string, Execution>();
      const executions = await api.post<Execution[]>(
        "/stats/executions/latest/group-by-flow",
        { flows: results.map((f) => ({ namespace: f.namespace, id: f.id })) },
        { signal },
      );
      return new Map(executions.map((e) => [flowKey({ namespace: e.namespace, id: e.flowId }), e]));
    },
    [pageKeys],
  );
  const namespaces = useApi((signal) => api.get<string[]>("/flows/distinct-namespaces", { signal }), []);

  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  /** Every flow the filters match is selected (the bulk actions then go by query). */
  const [allMatching, setAllMatching] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  // a selection is kept across pages only while the filters stay the same
  const filterKey = `${state.filters.namespace}\n${state.filters.q}\n${state.filters.labels}`;
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, [filterKey]);
  const clearSelection = () => {
    setSelected(new Set());
    setAllMatching(false);
  };

  const allOnPage = results.length > 0 && results.every((f) => selected.has(flowKey(f)));
  const toggle = (key: string) => {
    setAllMatching(false);
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  };
  const toggleAll = () => {
    setAllMatching(false);
    setSelected((s) => {
      const next = new Set(s);
      for (const f of results) {
        if (allOnPage) next.delete(flowKey(f));
        else next.add(flowKey(f));
      }
      return next;
    });
  };
  const chosen = () => [...selected].map(fromFlowKey);
  /** The filters as the by-query routes take them (`q`, `namespace` prefix, `labels`). */
  const byQuery = () => ({
    q: state.filters.q,
    namespace: state.filters.namespace,
    labels: state.filters.labels,
  });
  const selectedCount = allMatching ? total : selected.size;
  const plural = (n: number) => `${n} flow${n === 1 ? "" : "s"}`;

  const bulk = async (label: string, action: () => Promise<string>) => {
    setBusy(true);
    setNotice(undefined);
    try {
      setNotice({ text: await action() });
    } catch (e) {
      setNotice({ text: `${label} failed: ${(e as Error).message}`, error: true });
    } finally {
      setBusy(false);
      flows.reload();
    }
  };
  const setDisabled = (disabled: boolean) =>
    bulk(disabled ? "Disabling" : "Enabling", async () => {
      const verb = disabled ? "disable" : "enable";
      const { count } = allMatching
        ? await api.post<{ count: number }>(`/flows/${verb}/by-query`, undefined, { query: byQuery() })
        : await api.post<{ count: number }>(`/flows/${verb}/by-ids`, chosen());
      return `${plural(count)} ${disabled ? "disabled" : "enabled"}`;
    });
  const remove = () =>
    bulk("Deleting", async () => {
      setConfirmDelete(false);
      const { count } = allMatching
        ? await api.delete<{ count: number }>("/flows/delete/by-query", { query: byQuery() })
        : await api.delete<{ count: number }>("/flows/delete/by-ids", { body: chosen() });
      clearSelection();
      return `${plural(count)} deleted`;
    });
  const exportSelected = () =>
    bulk("Exporting", async () => {
      const list = chosen();
      const sources: string[] = [];
      for (const f of list) {
        const flow = await api.get<Flow>(pathOf("flows", f.namespace, f.id), { query: { source: true } });
        sources.push(flow.source ?? "");
      }
      const blob = new Blob([multiDocumentYaml(sources)], { type: "application/x-yaml" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = exportFileName(list);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return `${list.length} flow${list.length === 1 ? "" : "s"} exported as YAML (import them with POST /flows/bulk)`;
    });

  const [sortField, sortOrder] = (state.sort ?? "").split(":");
  const sortBy = (field: string) =>
    update({ sort: sortField === field && sortOrder !== "desc" ? `${field}:desc` : `${field}:asc` });
  const stale = flows.loading && flows.data !== undefined;

  return (
    <Page
      title="Flows"
      actions={
        <Link to="/flows/new" className="button primary">
          Create
        </Link>
      }
    >
      <div className="toolbar flows-filters" role="search">
        <DebouncedInput
          type="search"
          aria-label="Search flows"
          placeholder="Search flows (id or namespace)"
          value={state.filters.q}
          onCommit={(q) => update({ filters: { q } })}
          autoFocus
        />
        <DebouncedInput
          type="search"
          aria-label="Namespace"
          placeholder="Namespace (prefix)"
          list="flow-namespaces"
          value={state.filters.namespace}
          onCommit={(namespace) => update({ filters: { namespace } })}
        />
        <datalist id="flow-namespaces">
          {(namespaces.data ?? []).map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <DebouncedInput
          type="search"
          aria-label="Label"
          placeholder="Label key:value"
          value={state.filters.labels}
          onCommit={(labels) => update({ filters: { labels } })}
          delay={400}
        />
        {state.filters.q || state.filters.namespace || state.filters.labels ? (
          <button type="button" onClick={() => update({ filters: { q: "", namespace: "", labels: "" } })}>
            Clear filters
          </button>
        ) : null}
      </div>
      {notice ? (
        <p className={notice.error ? "notice error" : "notice"} role="status">
          {notice.text}
        </p>
      ) : null}
      {selectedCount > 0 ? (
        <div className="bulk-bar" role="toolbar" aria-label="Bulk actions">
          <strong>{allMatching ? `All ${plural(total)} matching selected` : `${selected.size} selected`}</strong>
          {allOnPage && !allMatching && total > results.length ? (
            <button type="button" onClick={() => setAllMatching(true)}>
              Select all {plural(total)} matching
            </button>
          ) : null}
          <button type="button" disabled={busy} onClick={() => void setDisabled(false)}>
            Enable
          </button>
          <button type="button" disabled={busy} onClick={() => void setDisabled(true)}>
            Disable
          </button>
          <button
            type="button"
            disabled={busy || allMatching}
            title={allMatching ? "Export takes selected flows (up to a page at a time)" : undefined}
            onClick={() => void exportSelected()}
          >
            Export
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
          <button type="button" onClick={clearSelection}>
            Clear selection
          </button>
        </div>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete ${plural(selectedCount)}?`}
          confirm="Delete"
          danger
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>Their revisions are kept; their triggers stop.{allMatching ? "" : " The selected flows:"}</p>
          {allMatching ? (
            <p>
              Every flow matching{" "}
              {[
                state.filters.q && `text “${state.filters.q}”`,
                state.filters.namespace && `namespace “${state.filters.namespace}*”`,
                state.filters.labels && `label ${state.filters.labels}`,
              ]
                .filter(Boolean)
                .join(", ") || "no filter: all flows"}
              .
            </p>
          ) : null}
          <ul>
            {(allMatching ? [] : chosen()).slice(0, 10).map((f) => (
              <li key={flowKey(f)}>
                {f.namespace}.{f.id}
              </li>
            ))}
            {!allMatching && selected.size > 10 ? <li>… and {selected.size - 10} more</li> : null}
          </ul>
        </ConfirmDialog>
      ) : null}
      {flows.error ? <ErrorView error={flows.error} onRetry={flows.reload} /> : null}
      {!flows.data && !flows.error ? <p className="loading">Loading…</p> : null}
      {flows.data ? (
        <>
          <table
            className={stale ? "flows-table stale" : "flows-table"}
            aria-label="Flows"
            aria-busy={flows.loading}
            data-results-for={flows.data.q}
            data-total={total}
          >
            <thead>
              <tr>
                <th className="check">
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={allOnPage}
                    onChange={toggleAll}
                    disabled={results.length === 0}
                  />
                </th>
                {SORTABLE.map((s) => (
                  <th
                    key={s.field}
                    aria-sort={sortField === s.field ? (sortOrder === "desc" ? "descending" : "ascending") : undefined}
                  >
                    <button type="button" className="sort" onClick={() => sortBy(s.field)}>
                      {s.label}
                      {sortField === s.field ? (sortOrder === "desc" ? " ▼" : " ▲") : ""}
                    </button>
                  </th>
                ))}
                <th>Labels</th>
                <th>
                  <button type="button" className="sort" onClick={() => sortBy("revision")}>
                    Revision{sortField === "revision" ? (sortOrder === "desc" ? " ▼" : " ▲") : ""}
                  </button>
                </th>
                <th>Last execution</th>
                <th>Triggers</th>
                <th>
                  <button type="button" className="sort" onClick={() => sortBy("disabled")}>
                    Status{sortField === "disabled" ? (sortOrder === "desc" ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((f) => {
                const key = flowKey(f);
                const last = latest.data?.get(key);
                return (
                  <tr key={key} className={f.disabled ? "disabled" : undefined} data-flow={`${f.namespace}.${f.id}`}>
                    <td className="check">
                      <input
                        type="checkbox"
                        aria-label={`Select ${f.namespace}.${f.id}`}
                        checked={selected.has(key)}
                        onChange={() => toggle(key)}
                      />
                    </td>
                    <td>
                      <Link to={pathOf("flows", "edit", f.namespace, f.id)}>{f.id}</Link>
                    </td>
                    <td>{f.namespace}</td>
                    <td>
                      {flowLabels(f.labels).map((l) => (
                        <span key={l.key} className="label-chip">
                          {l.key}:{l.value}
                        </span>
                      ))}
                    </td>
                    <td>{f.revision}</td>
                    <td>
                      {last ? (
                        <Link
                          to={pathOf("executions", last.namespace, last.flowId, last.id)}
                          title={formatDate(last.state.startDate)}
                        >
                          <StateBadge state={last.state.current} />
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      {(f.triggers ?? []).map((t) => (
                        <span key={t.id} className="label-chip" title={t.type}>
                          {t.id}
                        </span>
                      ))}
                    </td>
                    <td>{f.disabled ? <span className="label-chip">Disabled</span> : "Enabled"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {results.length === 0 ? (
            <p className="muted" role="status">
              {state.filters.q || state.filters.namespace || state.filters.labels ? (
                "No flow matches these filters."
              ) : (
                <>
                  No flows yet. <Link to="/flows/new">Create one</Link>.
                </>
              )}
            </p>
          ) : null}
          <Pager
            page={state.page}
            size={state.size}
            total={total}
            onPage={(page) => update({ page })}
            summary={pageRange(state.page, state.size, total)}
            sizes={[10, 25, 50, 100]}
            onSize={(size) => update({ size })}
          />
        </>
      ) : null}
    </Page>
  );
}
