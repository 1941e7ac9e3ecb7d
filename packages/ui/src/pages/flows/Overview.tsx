/** A flow's overview: description, labels, inputs, triggers and its last executions. */
import { api } from "../../api/client.ts";
import type { Execution, Flow, Paged } from "../../api/types.ts";
import { useApi } from "../../api/useApi.ts";
import { ErrorView } from "../../components/ErrorView.tsx";
import { StateBadge } from "../../components/StateBadge.tsx";
import { flowLabels } from "../../lib/flows.ts";
import { formatDate, formatMs, stateDurationMs } from "../../lib/format.ts";
import { Link, pathOf } from "../../router.tsx";

function show(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function Overview({ flow, onExecute }: { flow: Flow; onExecute(): void }) {
  const executions = useApi(
    (signal) =>
      api.get<Paged<Execution>>("/executions/search", {
        query: {
          "filters[namespace][EQUALS]": flow.namespace,
          "filters[flowId][EQUALS]": flow.id,
          size: 10,
          sort: "state.startDate:desc",
        },
        signal,
      }),
    [flow.namespace, flow.id, flow.revision],
  );
  const labels = flowLabels(flow.labels);
  const counts = new Map<string, number>();
  for (const e of executions.data?.results ?? []) counts.set(e.state.current, (counts.get(e.state.current) ?? 0) + 1);
  return (
    <div className="flow-overview">
      <section className="card">
        <h2>Description</h2>
        {flow.description ? (
          <p style={{ whiteSpace: "pre-wrap" }}>{flow.description}</p>
        ) : (
          <p className="muted">No description.</p>
        )}
        <p>
          <span className="muted">Namespace</span> {flow.namespace} · <span className="muted">Revision</span>{" "}
          {flow.revision} · {flow.disabled ? "Disabled" : "Enabled"}
        </p>
        <div aria-label="Labels">
          {labels.length ? (
            labels.map((l) => (
              <span key={l.key} className="label-chip">
                {l.key}:{l.value}
              </span>
            ))
          ) : (
            <span className="muted">No labels.</span>
          )}
        </div>
      </section>
      <section className="card">
        <h2>Inputs</h2>
        {flow.inputs?.length ? (
          <table aria-label="Inputs">
            <thead>
              <tr>
                <th>Id</th>
                <th>Type</th>
                <th>Required</th>
                <th>Default</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {flow.inputs.map((i) => (
                <tr key={i.id}>
                  <td>
                    <code>{i.id}</code>
                  </td>
                  <td>{i.type}</td>
                  <td>{i.required === false ? "no" : "yes"}</td>
                  <td>
                    <code>{show(i.defaults)}</code>
                  </td>
                  <td>{i.description ?? i.displayName ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No inputs.</p>
        )}
      </section>
      <section className="card">
        <h2>Triggers</h2>
        {flow.triggers?.length ? (
          <table aria-label="Triggers">
            <thead>
              <tr>
                <th>Id</th>
                <th>Type</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {flow.triggers.map((t) => (
                <tr key={t.id}>
                  <td>
                    <code>{t.id}</code>
                  </td>
                  <td title={t.type}>{t.type.slice(t.type.lastIndexOf(".") + 1)}</td>
                  <td>
                    {t.cron ? <code>{show(t.cron)}</code> : null}
                    {t.disabled ? <span className="label-chip">Disabled</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No triggers.</p>
        )}
      </section>
      <section className="card">
        <h2>Tasks</h2>
        <p>
          {flow.tasks?.length ?? 0} top-level task{flow.tasks?.length === 1 ? "" : "s"}:{" "}
          {(flow.tasks ?? []).map((t) => (
            <span key={t.id} className="label-chip" title={t.type}>
              {t.id}
            </span>
          ))}
        </p>
        <Link to={pathOf("flows", "edit", flow.namespace, flow.id, "topology")}>See the topology</Link>
      </section>
      <section className="card wide" aria-label="Last executions">
        <h2>Last executions</h2>
        {executions.error ? <ErrorView error={executions.error} onRetry={executions.reload} /> : null}
        {executions.data ? (
          executions.data.results.length === 0 ? (
            <p className="muted">
              No executions yet.{" "}
              <button type="button" className="primary" onClick={onExecute} disabled={flow.disabled}>
                Execute
              </button>
            </p>
          ) : (
            <>
              <div className="state-counts">
                <span className="muted">
                  {executions.data.total > 10
                    ? `${executions.data.total} in all; the last 10:`
                    : `${executions.data.total} in all:`}
                </span>
                {[...counts.entries()].map(([state, n]) => (
                  <span key={state}>
                    <StateBadge state={state} /> {n}
                  </span>
                ))}
              </div>
              <table>
                <thead>
                  <tr>
                    <th>Id</th>
                    <th>State</th>
                    <th>Started</th>
                    <th>Duration</th>
                    <th>Revision</th>
                  </tr>
                </thead>
                <tbody>
                  {executions.data.results.map((e) => (
                    <tr key={e.id}>
                      <td>
                        <Link to={pathOf("executions", e.namespace, e.flowId, e.id)}>
                          <code>{e.id}</code>
                        </Link>
                      </td>
                      <td>
                        <StateBadge state={e.state.current} />
                      </td>
                      <td>{formatDate(e.state.startDate)}</td>
                      <td>{formatMs(stateDurationMs(e.state))}</td>
                      <td>{e.flowRevision}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                <Link to={pathOf("flows", "edit", flow.namespace, flow.id, "executions")}>All executions</Link>
              </p>
            </>
          )
        ) : executions.error ? null : (
          <p className="loading">Loading…</p>
        )}
      </section>
    </div>
  );
}
