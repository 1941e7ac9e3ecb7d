/** A namespace: Overview (its flows and executions), KV store, Files and Triggers tabs. */
import { api } from "../api/client.ts";
import type { Execution, Flow, Paged } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { formatDate } from "../lib/format.ts";
import { useSettings } from "../lib/settings.ts";
import { Link, pathOf } from "../router.tsx";
import { NamespaceFiles } from "./admin/NamespaceFiles.tsx";
import { NamespaceKv } from "./admin/NamespaceKv.tsx";
import TriggersAdmin from "./TriggersAdmin.tsx";
import "../styles/admin.css";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "kv", label: "KV store" },
  { id: "files", label: "Files" },
  { id: "triggers", label: "Triggers" },
];

function executionsQuery(namespace: string, state?: string): URLSearchParams {
  const q = new URLSearchParams({ "filters[namespace][PREFIX]": namespace, size: "5", page: "1" });
  if (state) q.set("filters[state][IN]", state);
  return q;
}

function Overview({ namespace }: { namespace: string }) {
  const { timeZone } = useSettings();
  const flows = useApi(
    (signal) => api.get<Paged<Flow>>("/flows/search", { signal, query: { namespace, size: 100, page: 1 } }),
    [namespace],
  );
  const executions = useApi(
    (signal) => api.get<Paged<Execution>>("/executions/search", { signal, query: executionsQuery(namespace) }),
    [namespace],
  );
  const failed = useApi(
    (signal) =>
      api.get<Paged<Execution>>("/executions/search", { signal, query: executionsQuery(namespace, "FAILED") }),
    [namespace],
  );
  const error = flows.error ?? executions.error;
  if (error && !flows.data) return <ErrorView error={error} onRetry={flows.reload} />;
  return (
    <>
      <div className="admin-grid">
        <Link to={`/flows?namespace=${encodeURIComponent(namespace)}`} className="stat">
          <div className="stat-value" data-stat="flows">
            {flows.data?.total ?? "…"}
          </div>
          <div className="stat-label">Flows</div>
        </Link>
        <Link to={`/executions?namespace=${encodeURIComponent(namespace)}`} className="stat">
          <div className="stat-value" data-stat="executions">
            {executions.data?.total ?? "…"}
          </div>
          <div className="stat-label">Executions</div>
        </Link>
        <Link to={`/executions?namespace=${encodeURIComponent(namespace)}&state=FAILED`} className="stat">
          <div className="stat-value" data-stat="failed">
            {failed.data?.total ?? "…"}
          </div>
          <div className="stat-label">Failed executions</div>
        </Link>
      </div>
      <div className="two-columns">
        <section className="card">
          <h2>Flows</h2>
          {flows.data?.results.length ? (
            <ul>
              {flows.data.results.map((f) => (
                <li key={`${f.namespace}/${f.id}`}>
                  <Link to={pathOf("flows", "edit", f.namespace, f.id)}>
                    {f.namespace === namespace ? f.id : `${f.namespace}.${f.id}`}
                  </Link>
                  {f.disabled ? <span className="tag">disabled</span> : null}
                  {f.description ? <span className="muted"> — {f.description.split("\n")[0]}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{flows.data ? "No flow." : "Loading…"}</p>
          )}
        </section>
        <section className="card">
          <h2>Latest executions</h2>
          {executions.data?.results.length ? (
            <table>
              <tbody>
                {executions.data.results.map((x) => (
                  <tr key={x.id}>
                    <td>
                      <Link to={pathOf("executions", x.namespace, x.flowId, x.id)}>{x.flowId}</Link>
                    </td>
                    <td>
                      <StateBadge state={x.state.current} />
                    </td>
                    <td>{formatDate(x.state.startDate ?? x.state.histories?.[0]?.date, timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{executions.data ? "No execution." : "Loading…"}</p>
          )}
        </section>
      </div>
    </>
  );
}

export default function NamespacePage({ params }: { params: Record<string, string> }) {
  const namespace = params.namespace ?? "";
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : "overview";
  return (
    <Page
      title={namespace}
      breadcrumbs={[{ label: "Namespaces", to: "/namespaces" }, { label: namespace }]}
      tabs={TABS.map((t) => ({ ...t, to: pathOf("namespaces", "edit", namespace, t.id) }))}
      activeTab={tab}
    >
      {tab === "kv" ? (
        <NamespaceKv namespace={namespace} />
      ) : tab === "files" ? (
        <NamespaceFiles namespace={namespace} />
      ) : tab === "triggers" ? (
        <TriggersAdmin params={params} scope={{ namespace }} />
      ) : (
        <Overview namespace={namespace} />
      )}
    </Page>
  );
}
