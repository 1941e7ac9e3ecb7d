/** Namespaces (they exist through their flows), with a search kept in the URL. */
import { api } from "../api/client.ts";
import type { Paged } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { readListState, writeListState } from "../lib/urlFilters.ts";
import { Link, pathOf, setQuery, useLocation } from "../router.tsx";
import "../styles/admin.css";

const FILTERS = { q: { op: "EQUALS" } } as const;
const SIZE = 50;

export default function NamespacesList() {
  const location = useLocation();
  const list = readListState(FILTERS, location.query, { size: SIZE });
  const state = useApi(
    (signal) =>
      api.get<Paged<{ id: string }>>("/namespaces/search", {
        signal,
        query: { q: list.filters.q, page: list.page, size: list.size },
      }),
    [list.filters.q, list.page, list.size],
  );
  const go = (change: Partial<typeof list>) =>
    setQuery(writeListState(FILTERS, { ...list, ...change }, { size: SIZE }));
  const rows = state.data?.results ?? [];
  return (
    <Page title="Namespaces">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search namespaces"
          placeholder="Search namespaces"
          value={list.filters.q}
          onChange={(e) => go({ filters: { q: e.target.value }, page: 1 })}
        />
        {state.data ? <span className="muted">{state.data.total} namespaces</span> : null}
      </div>
      {state.error && !state.data ? (
        <ErrorView error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <div className="loading">Loading…</div>
      ) : rows.length === 0 ? (
        <p className="muted">
          {list.filters.q
            ? `No namespace matches “${list.filters.q}”.`
            : "No namespace yet: a flow creates its namespace."}
        </p>
      ) : (
        <table aria-label="Namespaces">
          <thead>
            <tr>
              <th>Namespace</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((n) => (
              <tr key={n.id}>
                <td style={{ paddingLeft: 10 + 16 * (n.id.split(".").length - 1) }}>
                  <Link to={pathOf("namespaces", "edit", n.id)}>{n.id}</Link>
                </td>
                <td className="admin-actions-cell">
                  <Link to={pathOf("namespaces", "edit", n.id, "kv")}>KV store</Link> ·{" "}
                  <Link to={pathOf("namespaces", "edit", n.id, "files")}>Files</Link> ·{" "}
                  <Link to={`/flows?namespace=${encodeURIComponent(n.id)}`}>Flows</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.data ? (
        <Pager page={list.page} size={list.size} total={state.data.total} onPage={(page) => go({ page })} />
      ) : null}
    </Page>
  );
}
