/**
 * The logs search: every log line of the instance, filtered by namespace, flow, minimum level,
 * text and date range (kept in the URL), newest first, paged. Embedded with `scope` in a flow's
 * or namespace's page, it shows only theirs.
 */
import { useMemo } from "react";
import { api } from "../api/client.ts";
import type { LogEntry, Paged } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { FilterInput } from "../components/FilterInput.tsx";
import { LogList } from "../components/LogList.tsx";
import { Page } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { apiQueryOf, LOG_FILTERS, scopeFilters } from "../lib/executionFilters.ts";
import { LOG_LEVELS } from "../lib/executionView.ts";
import { readListState, writeListState, type ListState } from "../lib/urlFilters.ts";
import type { ListChange } from "../lib/executionFilters.ts";
import { setQuery, useLocation } from "../router.tsx";
import "../styles/executions.css";

/** `scope`: embedded in a flow's or a namespace's page, the list shows only theirs (and no page frame). */
export interface LogsPageProps {
  params: Record<string, string>;
  scope?: { namespace?: string; flowId?: string };
}

type Specs = typeof LOG_FILTERS;
const DEFAULTS = { size: 100 };

export default function LogsPage({ scope }: LogsPageProps) {
  const location = useLocation();
  const state = useMemo(() => readListState(LOG_FILTERS, location.query, DEFAULTS), [location.query]);
  const scoped = scopeFilters(scope);
  const query = apiQueryOf(
    LOG_FILTERS,
    scoped.namespacePrefix ? { ...state, filters: { ...state.filters, namespace: scoped.namespacePrefix } } : state,
    scoped.exact,
  );
  // the level is a minimum, which the API takes as `minLevel`
  query.delete("filters[level][EQUALS]");
  if (state.filters.level) query.set("minLevel", state.filters.level);
  const key = query.toString();
  const logs = useApi((signal) => api.get<Paged<LogEntry>>("/logs/search", { query, signal }), [key]);
  const update = (change: ListChange<Specs>) =>
    setQuery(
      writeListState(
        LOG_FILTERS,
        {
          ...state,
          ...change,
          filters: { ...state.filters, ...change.filters } as ListState<Specs>["filters"],
          page: change.page ?? 1,
        },
        DEFAULTS,
      ),
    );
  const total = logs.data?.total ?? 0;

  const body = (
    <>
      <div className="filters" role="search" aria-label="Log filters">
        {scope?.namespace ? null : (
          <FilterInput
            label="Namespace"
            value={state.filters.namespace}
            onChange={(namespace) => update({ filters: { namespace } })}
          />
        )}
        {scope?.flowId ? null : (
          <FilterInput
            label="Flow"
            value={state.filters.flowId}
            onChange={(flowId) => update({ filters: { flowId } })}
          />
        )}
        <label>
          Minimum level
          <select
            aria-label="Minimum level"
            value={state.filters.level}
            onChange={(e) => update({ filters: { level: e.target.value } })}
          >
            <option value="">Any</option>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <FilterInput
          label="Text"
          value={state.filters.q}
          onChange={(q) => update({ filters: { q } })}
          placeholder="message, task, execution"
        />
        <FilterInput
          label="From"
          type="datetime-local"
          value={state.filters.from}
          onChange={(from) => update({ filters: { from } })}
        />
        <FilterInput
          label="To"
          type="datetime-local"
          value={state.filters.to}
          onChange={(to) => update({ filters: { to } })}
        />
        <button type="button" onClick={logs.reload}>
          Refresh
        </button>
      </div>
      {logs.error && !logs.data ? (
        <ErrorView error={logs.error} onRetry={logs.reload} />
      ) : (
        <>
          {logs.error ? <p className="error">{logs.error.message}</p> : null}
          <LogList logs={logs.data?.results ?? []} showExecution height={scope ? "480px" : "calc(100vh - 260px)"} />
          <Pager
            page={state.page}
            size={state.size}
            total={total}
            onPage={(page) => update({ page })}
            summary={`${total} line(s)${logs.loading ? " · loading…" : ""}`}
            sizes={[50, 100, 500, 1000]}
            onSize={(size) => update({ size })}
          />
        </>
      )}
    </>
  );
  if (scope) return <div className="logs-embedded">{body}</div>;
  return <Page title="Logs">{body}</Page>;
}
